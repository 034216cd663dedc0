"""The department's own records: customers, units, contracts, technicians, the price list; edited and imported."""
