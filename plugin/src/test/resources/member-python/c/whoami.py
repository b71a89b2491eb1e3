def name():
    """Which member ran this call (each test member has its own copy)."""
    return "c"
