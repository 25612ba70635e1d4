"""Claim form views (being built: issue 2)."""

from flask import Blueprint

bp = Blueprint("claims", __name__)
