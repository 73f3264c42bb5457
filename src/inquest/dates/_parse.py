"""Parsing one free-text date in Jalali, Hijri or Gregorian to ``DateInterval``.

The text is folded (``_fold``), cut into items (``_lex``), split into qualifiers (circa,
early/mid/late, calendar markers, season, decade) and content (numbers, month names),
and every reading the content allows is built (``_readings``). One reading gives a plain
interval; several give an ambiguous one, the others kept as alternatives. Ranges ("X to
Y", "X–Y", "between X and Y", "بین X و Y") parse each side and join them.
"""

from __future__ import annotations

import calendar as _gcal
import dataclasses
import datetime as dt
from dataclasses import dataclass

from inquest.dates._edtf import edtf
from inquest.dates._fold import fold
from inquest.dates._lex import Item, has_persian_script, lex
from inquest.dates._model import (
    Calendar,
    DateInterval,
    DateSettings,
    Part,
    Precision,
)
from inquest.dates._readings import Candidates, Reading, year_readings
from inquest.dates._vocab import Word
from inquest.errors import InputError
from inquest.text.scripts import strip_bidi


@dataclass
class _Flags:
    circa: bool = False
    uncertain: bool = False
    part: Part | None = None
    marker: Calendar | None = None
    season: str = ""
    decade: bool = False
    decade_number: int = 0


@dataclass(frozen=True)
class _Context:
    text: str
    hint: Calendar | None
    persian: bool
    settings: DateSettings


def _kind(item: Item) -> str:
    return item.word.kind if item.word is not None else item.kind


def _split_flags(items: list[Item], ctx: _Context) -> tuple[_Flags, list[Item]]:
    flags = _Flags()
    content: list[Item] = []
    for item in items:
        kind, word = _kind(item), item.word
        if kind == "age":
            raise InputError(f"{ctx.text!r} reads as an age, not a date: use parse_age")
        if kind == "unknown":
            raise InputError(f"{ctx.text!r} says the date is not known")
        if kind in {"num", "month"}:
            content.append(item)
        elif kind == "sep":
            flags.circa |= item.text == "~"
            flags.uncertain |= item.text == "?"
        elif word is not None and kind not in {"filler", "ordinal"}:
            _note_word(flags, kind, word, item, ctx)
    return flags, content


def _note_word(flags: _Flags, kind: str, word: Word, item: Item, ctx: _Context) -> None:
    """Record a word that qualifies the date (circa, a part of the year, a calendar, a season,
    a decade) in ``flags``; two that disagree are an error."""
    if kind == "circa":
        flags.circa = True
    elif kind == "part":
        if flags.part is not None and flags.part.value != word.value:
            raise InputError(f"{ctx.text!r} says both {flags.part} and {word.value}")
        flags.part = Part(word.value)
    elif kind == "calendar":
        if flags.marker is not None and flags.marker is not word.calendar:
            raise InputError(f"{ctx.text!r} names two calendars")
        flags.marker = word.calendar
    elif kind == "season":
        if flags.season and flags.season != word.value:
            raise InputError(f"{ctx.text!r} names two seasons")
        flags.season = word.value
    elif kind in {"decade", "decade_suffix"}:
        flags.decade = True
    elif kind == "decade_number":
        flags.decade, flags.decade_number = True, int(word.value)
    else:
        raise InputError(f"{ctx.text!r}: unexpected {item.text!r}")


def _explicit(
    flags: _Flags, month: Item | None, ctx: _Context, warnings: list[str]
) -> Calendar | None:
    named = month.word.calendar if month is not None and month.word is not None else None
    if named is not None and flags.marker is not None and named is not flags.marker:
        raise InputError(
            f"{ctx.text!r}: the month name is {named.value} but the text says {flags.marker.value}"
        )
    found = named or flags.marker
    if found is not None and ctx.hint is not None and found is not ctx.hint:
        warnings.append(f"the text says {found.value}; calendar hint {ctx.hint.value} ignored")
    return found or ctx.hint


def _numeric(nums: list[Item], flags: _Flags, ctx: _Context, out: Candidates) -> None:
    explicit = _explicit(flags, None, ctx, out.warnings)
    s, persian = ctx.settings, ctx.persian
    if len(nums) == 1 and nums[0].digits == 8:
        n = nums[0]
        nums = [
            Item("num", n.text[:4], int(n.text[:4]), 4),
            Item("num", n.text[4:6], int(n.text[4:6]), 2),
            Item("num", n.text[6:], int(n.text[6:]), 2),
        ]
    if not nums:
        raise InputError(f"{ctx.text!r} has no year")
    if len(nums) == 1:
        for cal, y in year_readings(nums[0], explicit, persian, s, out.warnings):
            out.add(Reading(cal, Precision.YEAR, y), flags.part)
        return
    if len(nums) == 2:
        year, month = _year_and_month(nums[0], nums[1], ctx)
        for cal, y in year_readings(year, explicit, persian, s, out.warnings):
            out.add(Reading(cal, Precision.MONTH, y, month.value), flags.part)
        return
    if len(nums) > 3:
        raise InputError(f"{ctx.text!r} has too many numbers for one date")
    _day_readings(nums, explicit, flags, ctx, out)


def _year_and_month(a: Item, b: Item, ctx: _Context) -> tuple[Item, Item]:
    """Which of two numbers is the year and which the month."""
    if a.digits >= 3 or (b.digits <= 2 and a.value > 12 >= b.value):
        return a, b
    if b.digits >= 3 or (a.digits <= 2 and b.value > 12 >= a.value):
        return b, a
    raise InputError(f"{ctx.text!r}: cannot tell the month from the year")


def _day_readings(
    nums: list[Item], explicit: Calendar | None, flags: _Flags, ctx: _Context, out: Candidates
) -> None:
    """Every reading of three numbers as a day, in each order their digits allow."""
    s = ctx.settings
    a, b, c = nums
    if a.digits >= 3:
        orders = ["ymd"]
    elif c.digits >= 3:
        orders = ["dmy", "mdy"]
    else:
        orders = ["ymd", "dmy", "mdy"]
    if not s.day_first:
        orders.sort(key=lambda o: {"ymd": 0, "mdy": 1, "dmy": 2}[o])
    for order in orders:
        fields = dict(zip(order, (a, b, c), strict=True))
        try:
            years = year_readings(fields["y"], explicit, ctx.persian, s, out.warnings)
        except InputError as exc:
            out.errors.append(exc)
            continue
        for cal, y in years:
            if order == "mdy" and cal is not Calendar.GREGORIAN:
                continue  # month-first is a Gregorian (US) habit only
            reading = Reading(cal, Precision.DAY, y, fields["m"].value, fields["d"].value)
            out.add(reading, flags.part)


def _with_month(
    month: Item,
    nums: list[Item],
    content: list[Item],
    flags: _Flags,
    ctx: _Context,
    out: Candidates,
) -> None:
    explicit = _explicit(flags, month, ctx, out.warnings)
    assert month.word is not None
    at = content.index(month)
    before = [n for n in nums if content.index(n) < at]
    if not nums:
        raise InputError(f"{ctx.text!r} has a month but no year")
    if len(nums) > 2:
        raise InputError(f"{ctx.text!r} has too many numbers for one date")
    day: Item | None = None
    if len(nums) == 1:
        year = nums[0]
        if before and year.digits <= 2:
            raise InputError(f"{ctx.text!r} has no year ({year.text} reads as a day)")
    else:
        long = [n for n in nums if n.digits >= 3]
        if len(long) == 2:
            raise InputError(f"{ctx.text!r} has two years")
        if len(long) == 1:
            year = long[0]
        elif len(before) == 1:
            year = nums[1]
        else:
            year = nums[-1]
        day = nums[0] if year is nums[1] else nums[1]
    for cal, y in year_readings(year, explicit, ctx.persian, ctx.settings, out.warnings):
        if day is None:
            out.add(Reading(cal, Precision.MONTH, y, month.word.month), flags.part)
        else:
            out.add(Reading(cal, Precision.DAY, y, month.word.month, day.value), flags.part)


def _season(nums: list[Item], flags: _Flags, ctx: _Context, out: Candidates) -> None:
    explicit = _explicit(flags, None, ctx, out.warnings)
    if len(nums) != 1:
        raise InputError(f"{ctx.text!r}: a season needs one year")
    for cal, y in year_readings(nums[0], explicit, ctx.persian, ctx.settings, out.warnings):
        out.add(Reading(cal, Precision.SEASON, y, season=flags.season), flags.part)
        if cal is Calendar.GREGORIAN and flags.season == "winter":
            out.add(
                Reading(cal, Precision.SEASON, y, season="winter", previous_winter=True),
                flags.part,
            )


def _decade(nums: list[Item], flags: _Flags, ctx: _Context, out: Candidates) -> None:
    explicit = _explicit(flags, None, ctx, out.warnings)
    if flags.decade_number and not nums:
        value = flags.decade_number
        nums = [Item("num", str(value), value, 2)]
    if len(nums) != 1:
        raise InputError(f"{ctx.text!r}: a decade needs one number")
    if nums[0].value % 10:
        raise InputError(f"{ctx.text!r}: a decade starts at a year ending in 0")
    persian = ctx.persian or flags.decade_number > 0
    for cal, y in year_readings(nums[0], explicit, persian, ctx.settings, out.warnings):
        out.add(Reading(cal, Precision.DECADE, y), flags.part)


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    return dt.date(year, month + 1, min(day.day, _gcal.monthrange(year, month + 1)[1]))


def _widen(
    reading: Reading, earliest: dt.date, latest: dt.date, s: DateSettings
) -> tuple[dt.date, dt.date]:
    """Widen a circa date by the settings' margin for its precision."""
    if reading.precision is Precision.DAY:
        margin = dt.timedelta(days=s.circa_days)
        low = dt.date.min + margin
        high = dt.date.max - margin
        return max(earliest, low) - margin, min(latest, high) + margin
    months = s.circa_months
    if reading.precision in {Precision.YEAR, Precision.DECADE}:
        months = 12 * s.circa_years
    return _shift_months(earliest, -months), _shift_months(latest, months)


def _interval(reading: Reading, flags: _Flags, ctx: _Context, warnings: list[str]) -> DateInterval:
    earliest, latest = reading.span(flags.part)
    if flags.part is not None and reading.precision is Precision.DAY:
        warnings.append(f"{flags.part.value!r} ignored: the text names a day")
    if reading.calendar is Calendar.HIJRI:
        margin = dt.timedelta(days=ctx.settings.hijri_margin_days)
        earliest, latest = earliest - margin, latest + margin
    stated = edtf(earliest, latest, approximate=flags.circa, uncertain=flags.uncertain)
    if flags.circa:
        earliest, latest = _widen(reading, earliest, latest, ctx.settings)
    native = reading.native()
    if flags.part is not None and reading.precision is not Precision.DAY:
        native = f"{flags.part.value} {native}"
    return DateInterval(
        text=ctx.text,
        calendar=reading.calendar,
        precision=reading.precision,
        earliest=earliest,
        latest=latest,
        edtf=stated,
        native=f"c. {native}" if flags.circa else native,
        approximate=flags.circa,
        part=flags.part if reading.precision is not Precision.DAY else None,
        warnings=tuple(warnings),
    )


def _requalify(code: str, *, uncertain: bool) -> str:
    """Add ``?`` (or turn ``~`` into ``%``) on every end of an EDTF string."""
    if not uncertain:
        return code
    ends = []
    for end in code.split("/"):
        if end.endswith("~"):
            ends.append(end[:-1] + "%")
        elif end.endswith(("?", "%", "X")):
            ends.append(end)
        else:
            ends.append(end + "?")
    return "/".join(ends)


def _describe(interval: DateInterval) -> str:
    cal = interval.calendar.value if interval.calendar else "?"
    return f"{cal} {interval.native} ({interval.earliest}..{interval.latest})"


def _single(items: list[Item], ctx: _Context, warnings: list[str]) -> DateInterval:
    flags, content = _split_flags(items, ctx)
    months = [it for it in content if _kind(it) == "month"]
    nums = [it for it in content if it.kind == "num"]
    if len(months) > 1:
        raise InputError(f"{ctx.text!r} names more than one month")
    if months and (flags.season or flags.decade):
        what = "a season" if flags.season else "a decade"
        raise InputError(f"{ctx.text!r} names both a month and {what}")
    out = Candidates(warnings=list(warnings))
    if flags.decade:
        _decade(nums, flags, ctx, out)
    elif flags.season:
        _season(nums, flags, ctx, out)
    elif months:
        _with_month(months[0], nums, content, flags, ctx, out)
    else:
        _numeric(nums, flags, ctx, out)
    if not out.readings:
        if out.errors:
            raise InputError(f"{ctx.text!r}: {out.errors[0].reason}")
        raise InputError(f"{ctx.text!r} is not a date")
    readings = [_interval(r, flags, ctx, list(out.warnings)) for r in out.readings]
    first = readings[0]
    if len(readings) == 1:
        return first
    others = tuple(readings[1:])
    notes = "; ".join(_describe(r) for r in others)
    message = f"ambiguous: read as {_describe(first)}; also possible: {notes}"
    if all("/" not in r.edtf and r.edtf[-1:] not in "~?%" for r in readings):
        code = "[" + ",".join(r.edtf for r in readings) + "]"
    else:
        code = _requalify(first.edtf, uncertain=True)
    return dataclasses.replace(
        first,
        ambiguous=True,
        alternatives=others,
        edtf=code,
        warnings=(*first.warnings, message),
    )


def _split_range(items: list[Item]) -> tuple[list[Item], list[Item]] | None:
    kinds = [_kind(it) for it in items]
    if kinds and kinds[0] == "between" and "and" in kinds:
        cut = kinds.index("and")
        return items[1:cut], items[cut + 1 :]
    for i, (kind, item) in enumerate(zip(kinds, items, strict=True)):
        if kind == "range" or (kind == "sep" and item.text == "–"):
            return items[:i], items[i + 1 :]
    nums = [it for it in items if it.kind == "num"]
    content = [k for k in kinds if k not in {"sep", "filler", "calendar", "circa"}]
    if len(nums) == 2 and len(content) == 2 and nums[0].digits >= 3:
        seps = [it.text for it in items[items.index(nums[0]) + 1 : items.index(nums[1])]]
        second = nums[1]
        if seps == ["-"] and (second.digits >= 3 or (second.digits == 2 and second.value > 12)):
            if second.digits == 2:  # "1367-68": the same century
                value = nums[0].value // 100 * 100 + second.value
                second = Item("num", str(value), value, 4)
            at = items.index(nums[1])
            return items[:at], [second, *items[at + 1 :]]
    return None


def _complete_left(left: list[Item], right: list[Item]) -> list[Item]:
    """Give the left side of a range the month, year and calendar it leaves to the right."""
    kinds_l = [_kind(it) for it in left]
    kinds_r = [_kind(it) for it in right]
    has_month = "month" in kinds_l
    after_month = kinds_l[kinds_l.index("month") + 1 :] if has_month else []
    has_year = any(it.kind == "num" and it.digits >= 3 for it in left) or "num" in after_month
    extra: list[Item] = []
    if not has_year:
        if not has_month and "month" in kinds_r:
            extra = right[kinds_r.index("month") :]
        elif has_month and "month" in kinds_r:
            extra = right[kinds_r.index("month") + 1 :]
        else:
            extra = [it for it in right if it.kind == "num" and it.digits >= 3]
    if "calendar" not in kinds_l:
        extra += [it for it in right if _kind(it) == "calendar" and it not in extra]
    return left + extra


def _range(left: list[Item], right: list[Item], ctx: _Context, warnings: list[str]) -> DateInterval:
    if not left or not right:
        raise InputError(f"{ctx.text!r}: a range needs a start and an end")
    end = _single(right, ctx, [])
    start = _single(_complete_left(left, right), ctx, [])
    if start.earliest > end.latest:
        raise InputError(f"{ctx.text!r}: the range ends before it starts")
    approximate = start.approximate or end.approximate
    ambiguous = start.ambiguous or end.ambiguous
    same = start.calendar if start.calendar is end.calendar else None
    notes = [w for w in (*start.warnings, *end.warnings) if w not in warnings]
    return DateInterval(
        text=ctx.text,
        calendar=same,
        precision=Precision.RANGE,
        earliest=start.earliest,
        latest=end.latest,
        edtf=edtf(start.earliest, end.latest, approximate=approximate, uncertain=ambiguous),
        native=f"{start.native}/{end.native}",
        approximate=approximate,
        ambiguous=ambiguous,
        alternatives=(),
        warnings=(*warnings, *notes),
    )


def _hint(calendar_hint: Calendar | str | None) -> Calendar | None:
    if calendar_hint is None or isinstance(calendar_hint, Calendar):
        return calendar_hint
    try:
        return Calendar(str(calendar_hint).strip().lower())
    except ValueError:
        choices = ", ".join(c.value for c in Calendar)
        raise InputError(f"unknown calendar {calendar_hint!r} (one of {choices})") from None


def parse_one(
    text: str, calendar_hint: Calendar | str | None, settings: DateSettings
) -> DateInterval:
    """Parse one date or one range (``parse_date`` also reads a second date in brackets)."""
    hint = _hint(calendar_hint)
    stripped, removed = strip_bidi(text)
    warnings = [f"removed {removed} bidi control character(s)"] if removed else []
    folded = fold(stripped)
    if not folded:
        raise InputError("empty date")
    ctx = _Context(text=text, hint=hint, persian=has_persian_script(stripped), settings=settings)
    items = lex(folded, text)
    if not items:
        raise InputError(f"{text!r} is not a date")
    halves = _split_range(items)
    if halves is not None:
        return _range(*halves, ctx, warnings)
    return _single(items, ctx, warnings)
