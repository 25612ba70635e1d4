"""Staff views (being built: issue 5)."""

from flask import Blueprint

bp = Blueprint("staff", __name__)
