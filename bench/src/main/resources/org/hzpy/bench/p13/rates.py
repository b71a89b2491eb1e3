VAT = {"DE": 0.19, "FR": 0.20, "NL": 0.21, "IE": 0.23}
LARGE_ORDER = 100.0
