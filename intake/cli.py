"""The ``intake`` console command. Each command is a thin call into the library."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field

import click

from . import store


@dataclass
class Context:
    """What every command shares: where the database is, and the app's configuration."""

    db_path: str | None = None
    _app: object = field(default=None, repr=False)

    @property
    def app(self):
        """The configured Flask app (settings + DB path); built once, on first use."""
        if self._app is None:
            from . import create_app

            if self.db_path:  # --db wins over $INTAKE_DB and instance/config.py
                os.environ["INTAKE_DB"] = self.db_path
            try:
                self._app = create_app()
            except ValueError as exc:  # a bad setting: say which, no traceback
                raise click.ClickException(f"configuration: {exc}") from None
        return self._app

    @property
    def config(self):
        return self.app.config

    def db(self):
        """An open, migrated database."""
        return store.connect(self.config["DB"])


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    envvar="INTAKE_DB",
    help="SQLite file. Default: $INTAKE_DB, else instance/intake.db.",
)
@click.version_option(package_name="intake")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """Claimant intake, deduplication and affected-list cross-check.

    \b
    Example:
      intake --db claims.db init
    """
    ctx.obj = Context(db_path=db_path)


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database or migrate it forward to this version's schema.

    \b
    Example:
      intake init
    """
    before, after = ctx.app.extensions["intake_migration"]  # the factory migrates at start-up
    click.echo(f"{ctx.config['DB']}: schema version {before} -> {after}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="Allow the built-in development secret key.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int, dev: bool) -> None:
    """Serve the web app on waitress (a production WSGI server).

    Refuses to start without INTAKE_SECRET_KEY unless --dev is given.

    \b
    Example:
      INTAKE_SECRET_KEY=$(python -c 'import secrets;print(secrets.token_hex())') intake serve
    """
    if not os.environ.get("INTAKE_SECRET_KEY") and not dev:
        raise click.UsageError(
            "INTAKE_SECRET_KEY is not set. Set it to a long random value, or pass --dev "
            "for a local trial."
        )
    import waitress

    from .store.checkpoints import BACKSTOP_PAGES, Checkpointer

    app = ctx.app
    # WAL checkpoints on a thread of their own, not in some claimant's per-submit match; the
    # connections' own checkpoint is a backstop (an operator's WAL_AUTOCHECKPOINT wins)
    if app.config.get("WAL_AUTOCHECKPOINT") is None:
        app.config["WAL_AUTOCHECKPOINT"] = BACKSTOP_PAGES
    click.echo(f"intake serving http://{host}:{port}/  (staff: /staff/login)")
    # systemd and docker stop a service with SIGTERM: stop as on Ctrl-C (waitress lets running
    # requests finish), then the last checkpoint, so the log is folded into the database
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with Checkpointer(app.config["DB"]):
            waitress.serve(app, host=host, port=port, threads=threads, ident="intake")
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("intake stopped")


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


# -- commands added by other areas register below (keep each a thin call) --


@main.command()
@click.option("--people", default=400, show_default=True, help="Synthetic persons to create.")
@click.option("--accounts", default=5000, show_default=True, help="Affected-list rows.")
@click.option("--seed", default=2025, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has submissions.")
@pass_ctx
def demo(ctx: Context, people: int, accounts: int, seed: int, if_empty: bool) -> None:
    """Fill the database with synthetic Korean claimants, an affected-list sample and demo
    staff logins, then run the matcher and the cross-check.

    \b
    Example:
      intake --db demo.db demo --people 1000
    """
    from .demo import populate
    from .match.link import run_link
    from .match.pipeline import run_match
    from .match.settings import MatchSettings

    db = ctx.db()
    if if_empty and db["submissions"].count:
        click.echo("demo: the database already has submissions; left as it is")
        return
    report = populate(db, ctx.app.instance_path, people=people, accounts=accounts, seed=seed)
    settings = MatchSettings.from_config(ctx.config)
    matched = run_match(db, settings=settings)
    linked = run_link(db, settings=settings, hash_key=ctx.config["ACCOUNT_HASH_KEY"])
    click.echo(
        f"demo: {report.submissions} submissions -> {matched.persons} persons "
        f"({matched.review} pairs to review); {report.accounts} affected accounts; "
        f"verified {linked.verified}, probable {linked.probable}, unverified {linked.unverified}"
    )
    click.echo("demo staff logins (change or deactivate them before real use):")
    for email, role, password in report.users:
        click.echo(f"  {role:<10} {email}  password: {password}")


def _mapping_option(func):
    return click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Use COLUMN for FIELD (name, email, phone, address, address_detail, postal_code, "
        "birth_date, account_id, ref). Repeatable; overrides the header aliases.",
    )(func)


def _print_import(rep) -> None:
    """Summary of an import: counts, column mapping, rejects file (no personal data)."""
    if rep.action == "done":
        click.echo(f"{rep.file_name}: already imported (import {rep.import_id}); nothing to do")
        return
    resumed = f", resumed after line {rep.skipped_lines + 1}" if rep.action == "resume" else ""
    click.echo(
        f"{rep.file_name}: {rep.loaded} loaded, {rep.rejected} rejected "
        f"(import {rep.import_id}{resumed})"
    )
    click.echo("  columns: " + ", ".join(f"{f}<-{c}" for f, c in rep.columns.items()))
    if rep.unmapped:
        click.echo("  ignored columns: " + ", ".join(rep.unmapped))
    if rep.replaced_imports:
        click.echo(f"  replaced {rep.replaced_imports} earlier list(s)")
    if rep.rejects_file:
        click.echo(f"  rejected rows with line numbers and reasons: {rep.rejects_file}")


@main.command("import-accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_mapping_option
@click.option("--replace", is_flag=True, help="Replace the current list instead of extending it.")
@click.option("--encoding", help="Text encoding of a CSV/TSV (default: detect UTF-8 or CP949).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@pass_ctx
def import_accounts_cmd(ctx, file, maps, replace, encoding, progress) -> None:
    """Load the affected-account list (CSV, TSV or XLSX; Korean or English headers).

    Re-running the same file does nothing; a killed run continues where it stopped. Rows with
    nothing identifying go to FILE.rejects.csv. With ACCOUNT_HASH_KEY set, e-mails and phones
    are stored only as keyed hashes. Claims are re-checked on the next `intake match`.

    \b
    Example:
      intake import-accounts affected.csv
      intake import-accounts corrected.xlsx --replace --map account_id=고객번호
    """
    from .importing import ImportRefused, import_accounts
    from .imports import ImportFormatError, parse_mapping

    try:
        rep = import_accounts(
            ctx.db(), file, mapping=parse_mapping(maps), replace=replace, encoding=encoding,
            hash_key=ctx.config.get("ACCOUNT_HASH_KEY"), progress=progress,
        )  # fmt: skip
    except (ImportFormatError, ImportRefused) as exc:
        raise click.UsageError(str(exc)) from None
    _print_import(rep)


@main.command("import-claims")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_mapping_option
@click.option("--encoding", help="Text encoding of a CSV/TSV (default: detect UTF-8 or CP949).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option(
    "--match",
    "then_match",
    is_flag=True,
    help="Then run `intake match` in the same process (faster after a big import).",
)
@pass_ctx
def import_claims_cmd(ctx, file, maps, encoding, progress, then_match) -> None:
    """Load claims gathered elsewhere (Google/Naver Forms, spreadsheets) as submissions.

    The `ref` column is kept as each row's source reference; every row gets its own claim
    reference. Run `intake match` afterwards to deduplicate and cross-check them, or give
    --match: after a big import the match then builds the search indexes while it works
    instead of waiting for them first.

    \b
    Example:
      intake import-claims naver-form.csv --map ref=응답번호
      intake import-claims claims.csv --match
    """
    from .importing import import_claims
    from .imports import ImportFormatError, parse_mapping

    try:
        rep = import_claims(
            ctx.db(),
            file,
            mapping=parse_mapping(maps),
            encoding=encoding,
            progress=progress,
            defer_indexes=then_match,
        )
    except ImportFormatError as exc:
        raise click.UsageError(str(exc)) from None
    _print_import(rep)
    if then_match:
        _match_and_report(ctx, full=False, train=False, progress=progress)


@main.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--status",
    "statuses",
    default="verified,probable,unverified",
    show_default=True,
    help="Comma-separated account statuses of the claimants to include.",
)
@click.option("--since", metavar="DATE", help="First filing day to include (YYYY-MM-DD, KST).")
@click.option("--until", metavar="DATE", help="Last filing day to include (YYYY-MM-DD, KST).")
@click.option(
    "--include-pii/--minimal",
    default=True,
    show_default=True,
    help="--minimal leaves out names, contact details, birth dates and free-text notes.",
)
@click.option("--by", "generated_by", help="Who the Summary says generated it. Default: $USER.")
@click.option(
    "--max-rows-per-sheet",
    type=click.IntRange(min=1),
    help="Continue in 'Submissions (2)' etc. after this many rows. Default: config.",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@pass_ctx
def export_cmd(
    ctx: Context,
    out: str,
    statuses: str,
    since: str | None,
    until: str | None,
    include_pii: bool,
    generated_by: str | None,
    max_rows_per_sheet: int | None,
    progress: bool,
) -> None:
    """Write the Excel workbook for counsel (Summary, Claimants, Submissions, Review log).

    The export is recorded in the audit log (filters and row counts, no personal data).

    \b
    Example:
      intake export claimants.xlsx --status verified,probable --since 2025-12-01
      intake export anonymised.xlsx --minimal
    """
    import getpass

    from .export import matcher_settings, write_workbook

    chosen = [s.strip() for s in statuses.split(",") if s.strip()]
    cfg = ctx.config
    try:
        rep = write_workbook(
            ctx.db(),
            out,
            statuses=chosen,
            since=since,
            until=until,
            include_pii=include_pii,
            generated_by=generated_by or f"{getpass.getuser()} (command line)",
            max_rows_per_sheet=max_rows_per_sheet or cfg["EXPORT_MAX_ROWS_PER_SHEET"],
            progress=progress,
            thresholds=matcher_settings(cfg),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{out}: {rep.submissions} submissions, {rep.claimants} claimants")
    for title, rows in rep.sheets:
        click.echo(f"  {title}: {rows} rows")
    by_status = ", ".join(f"{k} {v}" for k, v in rep.claimants_by_status.items())
    click.echo(f"  claimants by account status: {by_status}")
    click.echo(f"  pending review: {rep.submissions_by_review.get('pending', 0)} submissions")
    if rep.unmatched:
        click.echo(f"  warning: {rep.unmatched} submissions not matched yet (run intake match)")


@main.group("users")
def users_group() -> None:
    """Staff accounts: add, deactivate, list, set-role (the same as the /staff/users page).

    \b
    Example:
      intake users add ana@firm.example --role paralegal --expires 2026-06-30
    """


def _users_call(ctx: Context, action: str, email: str, func, *args, **detail) -> dict:
    """Run one store.staff change on the user with this e-mail and audit it (by id only)."""
    from .store import staff
    from .store.audit import audit

    db = ctx.db()
    try:
        user = staff.require_user(db, email)
        func(db, user["id"], *args)
    except staff.UserError as exc:
        raise click.ClickException(str(exc)) from None
    audit(db, action, target=f"user:{user['id']}", via="cli", **detail)
    return user


@users_group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["paralegal", "lawyer", "admin"]))
@click.option("--expires", metavar="DATE", help="Last day the account works (YYYY-MM-DD, UTC).")
@pass_ctx
def users_add(ctx: Context, email: str, role: str, expires: str | None) -> None:
    """Create a staff user. The password is prompted twice (read from stdin when piped).

    \b
    Example:
      intake users add ana@firm.example --role paralegal
      printf '%s\\n' "$PASSWORD" | intake users add ci@firm.example --role admin
    """
    from .store import staff
    from .store.audit import audit

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    db = ctx.db()
    try:
        user_id = staff.add_user(db, email, password, role, expires_at=expires)
    except staff.UserError as exc:
        raise click.ClickException(str(exc)) from None
    audit(db, "user_add", target=f"user:{user_id}", via="cli", role=role, expires=bool(expires))
    click.echo(f"user {user_id} added ({role})")


@users_group.command("deactivate")
@click.argument("email")
@pass_ctx
def users_deactivate(ctx: Context, email: str) -> None:
    """Switch a user off; their open sessions end on their next click.

    \b
    Example:
      intake users deactivate ana@firm.example
    """
    from .store import staff

    user = _users_call(ctx, "user_deactivate", email, staff.deactivate)
    click.echo(f"user {user['id']} deactivated")


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["paralegal", "lawyer", "admin"]))
@pass_ctx
def users_set_role(ctx: Context, email: str, role: str) -> None:
    """Change a user's role; their open sessions end on their next click.

    \b
    Example:
      intake users set-role ana@firm.example lawyer
    """
    from .store import staff

    user = _users_call(ctx, "user_role", email, staff.set_role, role, role=role)
    click.echo(f"user {user['id']} is now {role}")


@users_group.command("list")
@pass_ctx
def users_list(ctx: Context) -> None:
    """List staff users (id, e-mail, role, status, expiry, last sign-in).

    \b
    Example:
      intake users list
    """
    from .store import staff

    for u in staff.list_users(ctx.db()):
        status = "active" if u["active"] else "deactivated"
        if u["active"] and staff.is_expired(u):
            status = "expired"
        click.echo(
            f"{u['id']:>4}  {u['email']:<32} {u['role']:<9} {status:<11}"
            f" expires={u['expires_at'] or '-'}  last_login={u['last_login_at'] or '-'}"
        )


@main.command("match")
@click.option("--full", is_flag=True, help="Rescore every submission, not only new ones.")
@click.option(
    "--train", is_flag=True, help="Estimate m/u from this data (EM), keep them; implies --full."
)
@click.option("--progress", is_flag=True, help="Report progress on stderr.")
@pass_ctx
def match_cmd(ctx: Context, full: bool, train: bool, progress: bool) -> None:
    """Deduplicate submissions into persons (new ones only unless --full), then cross-check
    them against the affected-account list (all of them after a new list is loaded).

    Prints candidate pairs per blocking rule, auto-links, pairs for review and persons.
    Review decisions are always honoured.

    \b
    Example:
      intake match
      intake match --full --progress
      intake match --train
    """
    _match_and_report(ctx, full=full, train=train, progress=progress)


def _match_and_report(ctx: Context, *, full: bool, train: bool, progress: bool) -> None:
    """``intake match``: dedup, then the affected-list cross-check, each with its summary."""
    from .match.pipeline import run_match
    from .match.settings import MatchSettings

    db = ctx.db()
    settings = MatchSettings.from_config(ctx.config)
    if not settings.households:
        click.echo(
            "note: MATCH_HOUSEHOLD_SIZE=0 treats the data as having no households: "
            "family members who share a home, phone or e-mail will be merged"
        )
    rep = run_match(db, full=full, settings=settings, progress=progress, train=train)
    click.echo(f"submissions: {rep.submissions}  matched now: {rep.new}")
    for rule, n in rep.pairs_per_rule.items():
        split = rep.split_blocks.get(rule, 0)
        click.echo(
            f"  rule {rule:<22} {n:>10} pairs"
            + (f"  ({split} big blocks windowed)" if split else "")
        )
    recall = "-" if rep.estimated_recall is None else f"{rep.estimated_recall:.4f}"
    click.echo(f"candidate pairs: {rep.candidates}  estimated blocking recall: {recall}")
    if rep.households is not None and settings.household_detect and settings.households:
        click.echo(str(rep.households))
    click.echo(
        f"auto-links: {rep.auto_links}  review: {rep.review}  persons: {rep.persons}"
        f" (changed: {rep.persons_changed})  {rep.seconds:.1f}s"
    )
    # -- the affected-list link step (H4) runs here, after dedup --
    from .match.link import LinkError, run_link

    try:
        link = run_link(
            db, full=full, settings=MatchSettings.from_config(ctx.config), progress=progress,
            hash_key=ctx.config.get("ACCOUNT_HASH_KEY"),
        )  # fmt: skip
    except LinkError as exc:
        raise click.ClickException(str(exc)) from None
    if link.note:
        click.echo(f"affected list: {link.note}")
    else:
        click.echo(
            f"affected list v{link.list_version}: checked {link.submissions}"
            f"{' (all: new list or --full)' if link.full else ''}  verified: {link.verified}"
            f"  probable: {link.probable}  unverified: {link.unverified}  {link.seconds:.1f}s"
        )
        if link.shared_accounts or link.many_account_claimants:
            click.echo(
                f"  fraud signals sent to review: {link.shared_accounts} accounts claimed by"
                f" several persons, {link.many_account_claimants} claimants matching"
                f" 3+ accounts ({link.sent_to_review} verified claims moved to probable)"
            )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
