"""The Simplified Chinese catalog: complete, compiled, placeholders intact, and used by the pages.

The template and Python scans below fail when someone wraps a new string for translation and
nobody translates it: run `makemessages -l zh_Hans`, translate the new msgids in
src/luodi/locale/zh_Hans/LC_MESSAGES/django.po (glossary at its top) and `compilemessages`.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

import luodi

PACKAGE = Path(luodi.__file__).resolve().parent
MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = MESSAGES / "django.po"
MO_FILE = MESSAGES / "django.mo"
TEMPLATES = PACKAGE / "web" / "templates"
# Written once per language on purpose; everything else goes through the catalog.
LANGUAGE_SPECIFIC_TEMPLATES = {"guide_en.html", "guide_zh.html"}
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifr%]")


# -- a tiny .po reader -------------------------------------------------------------------


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    body = text[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), body)


def read_po(path: Path = PO_FILE) -> list[dict]:
    """Entries as dicts: ctxt, id, id_plural, strs (list), flags (set), refs (str)."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and entry["id"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"ctxt": None, "id": None, "id_plural": None, "strs": {}, "flags": set()}
            entry["refs"] = ""
            entry["obsolete"] = False
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"] += line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = ("ctxt",)
            entry["ctxt"] = _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field = ("id_plural",)
            entry["id_plural"] = _unquote(line[13:])
        elif line.startswith("msgid "):
            field = ("id",)
            entry["id"] = _unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("strs", index)
            entry["strs"][index] = _unquote(line[line.index("]") + 1 :])
        elif line.startswith("msgstr "):
            field = ("strs", 0)
            entry["strs"][0] = _unquote(line[7:])
        elif line.startswith('"') and field is not None:
            if field[0] == "strs":
                entry["strs"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {line!r}")
    return entries


def po_key(ctxt: str | None, msgid: str) -> str:
    return f"{ctxt}\x04{msgid}" if ctxt else msgid


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    return read_po()


@pytest.fixture(scope="module")
def messages(entries: list[dict]) -> dict[str, dict]:
    return {po_key(e["ctxt"], e["id"]): e for e in entries if e["id"] and not e["obsolete"]}


def translated(messages: dict[str, dict], key: str) -> bool:
    entry = messages.get(key)
    return bool(entry and "fuzzy" not in entry["flags"] and all(entry["strs"].values()))


# -- the catalog itself ----------------------------------------------------------------------


def test_catalog_lives_where_django_looks() -> None:
    assert PACKAGE / "locale" in [Path(p).resolve() for p in settings.LOCALE_PATHS]
    assert PO_FILE.is_file()
    assert MO_FILE.is_file(), "compile it: django-admin compilemessages -l zh_Hans"


def test_header_declares_chinese_with_one_plural_form(entries: list[dict]) -> None:
    header = entries[0]
    assert header["id"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: zh_Hans" in header["strs"][0]
    assert "charset=UTF-8" in header["strs"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["strs"][0]


def test_every_message_is_translated_and_none_is_fuzzy(entries: list[dict]) -> None:
    messages = [e for e in entries[1:] if not e["obsolete"]]
    assert len(messages) > 500
    fuzzy = [e["id"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["id"] for e in messages if not all(e["strs"].values()) or not e["strs"]]
    plural_forms = [
        e["id"] for e in messages if e["id_plural"] is not None and set(e["strs"]) != {0}
    ]
    obsolete = [e["id"] for e in entries if e["obsolete"]]
    assert not fuzzy, f"fuzzy entries are not compiled: {fuzzy}"
    assert not untranslated, f"untranslated: {untranslated}"
    assert not plural_forms, f"zh has one plural form, msgstr[0] only: {plural_forms}"
    assert not obsolete, f"drop obsolete entries (makemessages --no-obsolete): {obsolete}"


def _placeholders(text: str) -> list[str]:
    """Format directives, without literal percent signs (%%), which a translation may move."""
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def test_placeholders_and_markup_survive_translation(entries: list[dict]) -> None:
    problems = []
    for e in entries[1:]:
        source = e["id_plural"] if e["id_plural"] is not None else e["id"]
        for text in e["strs"].values():
            if "python-format" in e["flags"] and _placeholders(text) != _placeholders(source):
                problems.append((e["id"], text))
            if sorted(re.findall(r"</?\w+>", text)) != sorted(re.findall(r"</?\w+>", source)):
                problems.append((e["id"], text))
            if e["id"].endswith("\n") != text.endswith("\n"):
                problems.append((e["id"], text))
    assert not problems


def test_translations_are_chinese(entries: list[dict]) -> None:
    # Only brand-neutral words stay as they are (API, OKR, …); everything else is Chinese.
    kept = {"API", "OKRs"}
    not_chinese = [
        e["id"]
        for e in entries[1:]
        if e["id"] not in kept and not all(CJK.search(s) for s in e["strs"].values())
    ]
    assert not not_chinese


def test_compiled_catalog_matches_the_po(entries: list[dict]) -> None:
    with MO_FILE.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    catalog = compiled._catalog  # type: ignore[attr-defined]
    stale = []
    for e in entries[1:]:
        key = po_key(e["ctxt"], e["id"])
        if e["id_plural"] is None:
            if catalog.get(key) != e["strs"][0]:
                stale.append(e["id"])
        elif catalog.get((key, 0)) != e["strs"][0]:
            stale.append(e["id"])
    assert not stale, f"django.mo is out of date, run compilemessages: {stale[:10]}"


# -- through Django's translation machinery ---------------------------------------------------

SAMPLES = [
    # app: msgid (one or more from each app)
    "This person is already a member.",  # accounts
    "Tell us your name.",  # accounts
    "Some values are invalid.",  # api
    "Not found.",  # api
    "Only active objectives take check-ins.",  # checkins
    "Confidence is a whole number from 0 to 10.",  # checkins, web form
    "This alignment would make a cycle.",  # okrs
    "On track",  # okrs status
    "At risk",  # okrs status
    "Off track",  # okrs status
    "Key result",  # okrs / web
    "Only owners and admins may do this.",  # orgs
    "Viewer",  # orgs role
    "Strategic themes",  # orgs / admin
    "Reports",  # reports
    "My OKRs",  # web templates
    "Alignment map",  # web templates
    "Weekly check-in",  # web templates
    "Enter a valid email address.",  # form error
    "Describe your company and its units.",  # web templatetags
    "Loading the demo organization; this takes a few seconds…",  # demo
]


@pytest.mark.parametrize("msgid", SAMPLES)
def test_samples_from_every_app_come_back_in_chinese(msgid: str) -> None:
    with translation.override("zh-hans"):
        text = gettext(msgid)
    assert text != msgid
    assert CJK.search(text)
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_choices_and_plurals_in_chinese() -> None:
    from luodi.okrs.choices import Status
    from luodi.orgs.choices import Role

    with translation.override("zh-hans"):
        assert str(Status.ON_TRACK.label) == "正常"
        assert str(Role.OWNER.label) == "所有者"
        assert gettext("My OKRs") == "我的 OKR"
        for n in (1, 3):
            text = ngettext("%(n)s objective", "%(n)s objectives", n) % {"n": n}
            assert text == f"{n} 个目标"


# -- pages -----------------------------------------------------------------------------------


def _get(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_login_page_follows_accept_language(client) -> None:
    chinese = _get(client, reverse("login"), "zh-hans")
    assert '<html lang="zh-hans">' in chinese
    assert "登录落地" in chinese and "忘记密码？" in chinese
    assert "Sign in to Luodi" not in chinese
    english = _get(client, reverse("login"), "en")
    assert '<html lang="en">' in english
    assert "Sign in to Luodi" in english and "登录落地" not in english


@pytest.mark.django_db
def test_guide_page_chrome_follows_accept_language(client) -> None:
    chinese = _get(client, reverse("web:guide"), "zh-hans")
    assert '<html lang="zh-hans">' in chinese
    assert ">使用指南</a>" in chinese and "跳到正文" in chinese
    english = _get(client, reverse("web:guide"), "en")
    assert '<html lang="en">' in english
    assert ">Guide</a>" in english and "Skip to content" in english


@pytest.mark.django_db
def test_home_page_navigation_in_each_language(client, org, owner, cycle) -> None:
    owner.language = ""  # no remembered choice: the browser's language decides
    owner.save(update_fields=["language"])
    client.force_login(owner)
    url = reverse("web:home", kwargs={"org": org.slug})
    chinese = _get(client, url, "zh-hans")
    assert '<html lang="zh-hans">' in chinese
    for label in ("我的 OKR", "对齐地图", "仪表盘", "团队", "管理"):
        assert f">{label}</a>" in chinese, label
    assert "每周进展更新" in chinese
    english = _get(client, url, "en")
    assert '<html lang="en">' in english
    for label in ("My OKRs", "Alignment map", "Dashboard", "Teams", "Administration"):
        assert f">{label}</a>" in english, label
    assert "我的 OKR" not in english


# -- every wrapped string in the source has a translation -------------------------------------

TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msg>.*?)(?P=q)"""
    r"""(?P<rest>(?:\s+(?:noop|as\s+\w+|context\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq)))*)\s*%\}""",
    re.S,
)
# _("...") as an argument of a tag or filter: {% include ... with help=_("...") %}
UNDERSCORE_IN_TAG = re.compile(r"""\{[%{][^%}]*?\b_\((?P<q>["'])(?P<msg>.*?)(?P=q)\)""", re.S)
BLOCK_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(?P<args>.*?)%\}(?P<body>.*?)"
    r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)


def _block_msgid(body: str) -> str:
    text = body.replace("%", "%%")
    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", r"%(\1)s", text)


def template_msgids() -> list[tuple[str, str]]:
    """(place, catalog key) for every {% translate %} and {% blocktranslate %} in templates."""
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or path.name in LANGUAGE_SPECIFIC_TEMPLATES:
            continue
        source = path.read_text(encoding="utf-8")
        place = str(path.relative_to(PACKAGE))
        for match in TRANSLATE_TAG.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append((f"{place}:{line}", po_key(match["ctx"], match["msg"].replace("%", "%%"))))
        for match in UNDERSCORE_IN_TAG.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append((f"{place}:{line}", match["msg"]))
        for match in BLOCK_TAG.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            args = match["args"]
            context = re.search(r"""context\s+(["'])(.*?)\1""", args)
            body = match["body"]
            singular = re.split(r"\{%\s*plural\s*%\}", body)[0]
            if re.search(r"\btrimmed\b", args):
                singular = re.sub(r"\s*\n\s*", " ", singular.strip())
            found.append(
                (f"{place}:{line}", po_key(context and context[2], _block_msgid(singular)))
            )
    return found


def test_template_scan_finds_the_strings() -> None:
    keys = {key for _place, key in template_msgids()}
    assert "My OKRs" in keys
    assert "%(n)s objective" in keys
    assert len(keys) > 300


def test_every_template_string_is_translated(messages: dict[str, dict]) -> None:
    missing = sorted(
        {f"{place}: {key!r}" for place, key in template_msgids() if not translated(messages, key)}
    )
    assert not missing, (
        "not in the zh_Hans catalog (run makemessages and translate):\n" + "\n".join(missing)
    )


GETTEXT_CALLS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "_lazy": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
    "npgettext_lazy": 1,
}


def python_msgids() -> list[tuple[str, str]]:
    """(place, catalog key) for every gettext call with a literal message in src/luodi."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        place = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in GETTEXT_CALLS:
                continue
            index = GETTEXT_CALLS[name]
            args = node.args
            if len(args) <= index or not isinstance(args[index], ast.Constant):
                continue
            msgid = args[index].value
            if not isinstance(msgid, str) or not msgid:
                continue
            context = None
            if index == 1:
                first = args[0]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    continue
                context = first.value
            found.append((f"{place}:{node.lineno}", po_key(context, msgid)))
    return found


def test_every_python_string_is_translated(messages: dict[str, dict]) -> None:
    found = python_msgids()
    assert len(found) > 300
    missing = sorted({f"{place}: {key!r}" for place, key in found if not translated(messages, key)})
    assert not missing, (
        "not in the zh_Hans catalog (run makemessages and translate):\n" + "\n".join(missing)
    )
