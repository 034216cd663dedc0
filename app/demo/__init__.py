"""The demo data set, loaded through the real services (``aftersales demo``)."""
