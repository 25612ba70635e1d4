"""The one staff blueprint; route modules attach to it and ``init_app`` imports them."""

from flask import Blueprint

bp = Blueprint("staff", __name__)
