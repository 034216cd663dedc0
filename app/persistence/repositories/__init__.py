"""Queries, one small repository per table family; services never write SQL themselves."""
