"""A Jet stage's handlers, shipped with the job (JobConfig.attachDirectory): the members do not have
this folder. Each function gets a batch of orders and returns one answer per order."""
import os

import rates  # a sibling module of the job's own, imported by its plain name


def price(orders):
    """Each order (a dict) with its total in EUR, VAT included, and the member process that priced it."""
    return [dict(o, total=round(o["qty"] * o["unit_price"] * (1 + rates.VAT[o["country"]]), 2), priced_by=os.getpid())
            for o in orders]


def is_large(orders):
    return [o["total"] >= rates.LARGE_ORDER for o in orders]
