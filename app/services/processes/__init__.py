"""Processes: deploying diagrams as versions, the version cache, version administration, the workbench and live
counts."""
