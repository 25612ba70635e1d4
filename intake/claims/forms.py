"""The claim form (Flask-WTF). Field names follow the project vocabulary.

Plain WTForms fields carry the HTML side (labels, ``autocomplete`` tokens, ``inputmode``);
``validate_<field>`` methods call :mod:`intake.claims.validators` and keep the normalised value
and flags in ``self.checked`` for the view to store. Never add fields for resident registration
numbers, ID images, door codes, passwords or bank details (PIPA Art. 16, 24-2).
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from . import validators as v
from .uploads import Evidence, UploadRefused, read_evidence

CLAIMANT_TYPES = [
    ("member", _l("Coupang member")),
    ("former_member", _l("Former Coupang member (withdrawn)")),
    ("address_book", _l("Not a member: my details were in someone else's address book")),
]
NOTICES = [
    ("nov2025", _l("The first notice (November 2025, “exposure”)")),
    ("dec2025", _l("The corrected notice (December 2025, “leak”)")),
    ("feb2026", _l("The address-book notice (February 2026, text message)")),
    ("none", _l("No notice, or not sure")),
]
HARMS = [
    ("smishing", _l("Smishing or phishing messages quoting my real orders")),
    ("login_attempts", _l("Unknown or overseas login attempts")),
    ("customs_code", _l("I had my personal customs clearance code (개인통관고유부호) reissued")),
    ("door_code", _l("Our building's entrance door code had to be changed")),
    ("parcels", _l("Parcels I did not order")),
    ("other", _l("Other")),
]
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
EMAIL_CHOICES = [("suggested", _l("Use the corrected address")), ("typed", _l("Keep mine"))]


def notice_months(today: date | None = None) -> list[tuple[str, str]]:
    """'Roughly when' choices: each month from November 2025 to this month, newest first."""
    today = today or date.today()
    months, year, month = [], 2025, 11
    while (year, month) <= (today.year, today.month):
        months.append((f"{year:04d}-{month:02d}", f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [("", _l("Not sure"))] + months[::-1]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes that share one name (harms)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _required(message):
    return [InputRequired(message=message)]


def _choices(pairs) -> list[SelectChoice]:
    """(code, label) pairs as WTForms choices (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(code, label) for code, label in pairs]


def _radio(label, choices, message):
    """A required radio group whose only error is our own message (no English fallback)."""
    return RadioField(label, choices=_choices(choices), invalid_choice_message=message)


class ClaimForm(FlaskForm):
    claimant_type = _radio(
        _l("How were you affected?"), CLAIMANT_TYPES, _l("Choose how you were affected.")
    )
    notice = _radio(
        _l("Which notice from Coupang did you receive?"),
        NOTICES,
        _l("Choose the notice you received, or “not sure”."),
    )
    notice_date = SelectField(
        _l("Roughly when did you receive it?"),
        default="",
        invalid_choice_message=_l("Choose a month."),
    )
    name = StringField(
        _l("Name"),
        render_kw={"autocomplete": "name", "maxlength": 60, "required": True},
    )
    birth_date = StringField(
        _l("Date of birth"),
        render_kw={
            "autocomplete": "bday",
            "placeholder": "1985-03-14",
            "maxlength": 20,
            "required": True,
        },
    )
    phone = StringField(
        _l("Mobile phone"),
        render_kw={
            "type": "tel",
            "autocomplete": "tel",
            "inputmode": "tel",
            "placeholder": "010-1234-5678",
            "maxlength": 30,
            "required": True,
        },
    )
    email = StringField(
        _l("E-mail"),
        render_kw={
            "type": "email",
            "autocomplete": "email",
            "inputmode": "email",
            "placeholder": "hong@naver.com",
            "maxlength": 254,
            "required": True,
        },
    )
    email_checked = HiddenField()
    email_choice = RadioField(choices=_choices(EMAIL_CHOICES), validate_choice=False)
    address = TextAreaField(
        _l("Address"),
        render_kw={"autocomplete": "street-address", "rows": 2, "maxlength": 300, "required": True},
    )
    postal_code = StringField(
        _l("Postcode (optional)"),
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 10},
    )
    login_email = StringField(
        _l("Coupang login e-mail, if different"),
        render_kw={"type": "email", "inputmode": "email", "autocomplete": "off", "maxlength": 254},
    )
    login_phone = StringField(
        _l("Coupang login phone, if different"),
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off", "maxlength": 30},
    )
    harms = MultiCheckboxField(
        _l("What has happened to you since? (optional)"),
        choices=_choices(HARMS),
        invalid_choice_message=_l("Choose from the list."),
    )
    harm_other = StringField(
        _l("Other: in a few words"),
        validators=[Length(max=200, message=_l("Use at most 200 characters."))],
        render_kw={"maxlength": 200},
    )
    other_suit = _radio(
        _l("Have you already joined another lawsuit or mediation over this breach?"),
        YES_NO,
        _l("Answer yes or no."),
    )
    evidence = FileField(
        _l("Screenshot of the notice (optional)"),
        render_kw={"accept": "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"},
    )
    guardian_name = StringField(_l("Guardian's name"), render_kw={"maxlength": 60})
    guardian_relation = StringField(
        _l("Relationship to the child"),
        render_kw={"maxlength": 30, "placeholder": _l("e.g. mother")},
    )
    guardian_contact = StringField(_l("Guardian's phone or e-mail"), render_kw={"maxlength": 254})
    consent_guardian = BooleanField(
        _l("As the legal guardian, I agree to the collection, use and provision above.")
    )
    consent_collect = BooleanField(
        _l("I agree to the collection and use of my personal information (required)"),
        validators=_required(_l("This consent is required to file a claim.")),
    )
    consent_provide = BooleanField(
        _l("I agree to the provision of my information to the court and co-counsel (required)"),
        validators=_required(_l("This consent is required to file a claim.")),
    )
    consent_truth = BooleanField(
        _l("I confirm that the information I gave is true and my own (required)"),
        validators=_required(_l("Please confirm that the information is true.")),
    )
    consent_age14 = BooleanField(_l("I am 14 years of age or older"))
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off"})
    ts = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice_date.choices = _choices(notice_months())
        self.checked: dict[str, v.Checked] = {}
        self.email_suggestion: str | None = None
        self.evidence_upload: Evidence | None = None

    # -- one field at a time ------------------------------------------------------------
    def validate_name(self, field):
        self.checked["name"] = v.check_name(field.data)

    def validate_birth_date(self, field):
        self.checked["birth_date"] = v.check_birth_date(field.data)

    def validate_phone(self, field):
        self.checked["phone"] = v.check_phone(field.data)

    def validate_email(self, field):
        checked = v.check_email(field.data)
        suggestion = checked.extra.get("suggestion")
        if suggestion and suggestion != checked.value:
            typed = (field.data or "").strip()
            if self.email_checked.data == typed and self.email_choice.data == "suggested":
                checked = v.check_email(suggestion)
                field.data = suggestion
            elif self.email_checked.data == typed and self.email_choice.data == "typed":
                checked = v.Checked(checked.value, (*checked.flags, "typo_domain_kept"))
            else:
                self.email_suggestion = suggestion
                self.email_checked.data = typed
                self.email_choice.data = None
                raise ValidationError(
                    _(
                        "Did you mean %(suggestion)s? Choose below, then submit again.",
                        suggestion=suggestion,
                    )
                )
        self.checked["email"] = checked

    def validate_postal_code(self, field):
        self.checked["postal_code"] = v.check_postal_code(field.data)

    def validate_address(self, field):
        try:
            postcode = v.check_postal_code(self.postal_code.data or "").value
        except ValidationError:
            postcode = None  # reported beside the postcode field
        self.checked["address"] = v.check_address(field.data, postcode)

    def validate_login_email(self, field):
        self.checked["login_email"] = v.check_email(field.data, required=False)

    def validate_login_phone(self, field):
        self.checked["login_phone"] = v.check_phone(field.data, required=False)

    def validate_evidence(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", None):
            return
        limit = int(current_app.config["EVIDENCE_MAX_BYTES"])
        try:
            self.evidence_upload = read_evidence(upload.stream, limit)
        except UploadRefused as exc:
            if exc.reason == "size":
                raise ValidationError(
                    _(
                        "The file is larger than %(mb)d MB. Upload a smaller screenshot.",
                        mb=limit // (1024 * 1024),
                    )
                ) from None
            raise ValidationError(
                _("Upload a JPEG or PNG image or a PDF file (other file types are refused).")
            ) from None

    # -- rules that span fields --------------------------------------------------------------
    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if "other" in (self.harms.data or []) and not (self.harm_other.data or "").strip():
            self.harm_other.errors.append(_("Describe the other harm in a few words."))
            ok = False
        born = self.checked.get("birth_date")
        if born and born.value:
            ok = self._check_age(date.fromisoformat(born.value)) and ok
        return ok

    def under_14(self) -> bool:
        born = self.checked.get("birth_date")
        if not (born and born.value):
            return False
        return v.age_on(date.fromisoformat(born.value), date.today()) < 14

    def _check_age(self, born: date) -> bool:
        """14 or over: tick the age box. Under 14: a guardian's details and consent instead."""
        if v.age_on(born, date.today()) >= 14:
            if not self.consent_age14.data:
                self.consent_age14.errors.append(
                    _("Confirm that you are 14 or older. (Under 14: fill in the guardian section.)")
                )
                return False
            return True
        ok = True
        for field, message in (
            (self.guardian_name, _("Under 14: enter the guardian's name.")),
            (
                self.guardian_relation,
                _("Under 14: enter the guardian's relationship to the child."),
            ),
        ):
            if not (field.data or "").strip():
                field.errors.append(message)
                ok = False
        try:
            self.checked["guardian_contact"] = v.check_contact(self.guardian_contact.data)
        except ValidationError as exc:
            self.guardian_contact.errors.append(str(exc))
            ok = False
        if not self.consent_guardian.data:
            self.consent_guardian.errors.append(_("Under 14: the guardian must agree."))
            ok = False
        return ok
