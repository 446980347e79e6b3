"""A computed study as the reader sees it: figures, the explanation in the reader's language,
and the same content as a PDF (ReportLab, chart embedded) and an XLSX workbook.

Everything is built from the study's snapshot (``EvaluationStudy.results``), so the page, the
PDF and the spreadsheet show the same figures until the study is run again."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .charts import event_study_drawing, event_study_svg
from .models import EvaluationStudy

#: The estimation panel's columns, as `manage.py evaluation_estimate --panel` reads them.
PANEL_COLUMNS = ("unit", "period", "outcome", "first_treated", "share_trained", "staff", "trained")
ROBUST = ("cs", "bjs", "sa")


def method_names() -> dict[str, str]:
    names = {m.value: str(m.label) for m in EvaluationStudy.Method}
    names["twfe"] = _("Two-way fixed effects (naive)")
    return names


def _f(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return formats.number_format(round(value, digits), digits)


def _excludes_zero(est: dict[str, Any]) -> bool:
    low, high = est.get("ci_low"), est.get("ci_high")
    return low is not None and high is not None and (low > 0 or high < 0)


def unit_label(code: str) -> str:
    return {
        "percent": _("percentage points"),
        "days": _("working days"),
        "count": _("cases"),
        "score": _("points"),
        "ratio": _("units of the ratio"),
    }.get(code, "")


def summary(study: EvaluationStudy) -> dict[str, Any] | None:
    """Everything the page, the PDF and the workbook show, in the active language."""
    r = study.results
    if not r:
        return None
    names = method_names()
    periods = [dt.date.fromisoformat(p) for p in r["periods"]]
    estimates = r["estimates"]
    primary_key = study.method if study.method in ROBUST else "cs"
    primary = estimates[primary_key]
    unit = unit_label(r["indicator"]["unit"])
    lower_better = r["indicator"]["direction"] == "lower"

    headline = _(
        "Training changed “%(indicator)s” by %(att)s %(unit)s on average in the centres once "
        "they had adopted it (95%% interval %(low)s to %(high)s; %(method)s)."
    ) % {
        "indicator": study.indicator.local_name,
        "att": _f(primary["att"]),
        "unit": unit,
        "low": _f(primary["ci_low"]),
        "high": _f(primary["ci_high"]),
        "method": names[primary_key],
    }
    if _excludes_zero(primary):
        improved = (primary["att"] < 0) if lower_better else (primary["att"] > 0)
        verdict = (
            _("The interval excludes zero: the indicator improved after training.")
            if improved
            else _("The interval excludes zero: the indicator got worse after training.")
        )
    else:
        verdict = _(
            "The interval includes zero: the data are also consistent with no effect of training."
        )
    explanation = [headline, verdict]
    if lower_better:
        explanation.append(_("For this indicator lower values are better."))
    agree = [m for m in ROBUST if estimates.get(m) and estimates[m]["att"] is not None]
    if len(agree) > 1:
        values = [estimates[m]["att"] for m in agree]
        explanation.append(
            _(
                "The three robust estimators give %(low)s to %(high)s: each compares centres "
                "that have adopted training only with centres that have not (yet), so no "
                "already-trained centre serves as a control."
            )
            % {"low": _f(min(values)), "high": _f(max(values))}
        )
    pre = [e for e in primary["event_study"] if e["event_time"] < 0]
    if pre:
        inside = sum(
            1
            for e in pre
            if e.get("ci_low") is not None and e["ci_low"] <= 0 <= (e.get("ci_high") or 0)
        )
        explanation.append(
            _(
                "Before adoption (the placebo months left of the dashed line) %(inside)s of "
                "%(total)s estimates have intervals that include zero; if the centres had been "
                "on different paths before training, these would stray from zero."
            )
            % {"inside": inside, "total": len(pre)}
        )

    bacon = r["bacon"]
    twfe = estimates["twfe"]
    warning = None
    if (bacon.get("forbidden_weight") or 0) > 0.1:
        warning = _(
            "Do not use the naive two-way fixed-effects estimate (%(twfe)s): %(weight)s%% of its "
            "weight comes from comparisons that use already-trained centres as controls. When "
            "the effect of training grows over time or differs between waves, those "
            "comparisons subtract part of the effect, so the naive estimate is biased (here it "
            "is %(ratio)s%% of the robust one)."
        ) % {
            "twfe": _f(twfe["att"]),
            "weight": _f(100 * bacon["forbidden_weight"], 0),
            "ratio": _f(100 * twfe["att"] / primary["att"], 0) if primary["att"] else "—",
        }
    kinds = {
        "treated_vs_never": _("Trained vs never-trained centres"),
        "earlier_vs_later": _("Earlier-trained vs not-yet-trained centres"),
        "later_vs_earlier": _("Later-trained vs already-trained centres (forbidden)"),
    }
    bacon_rows = [
        {"label": kinds[k["kind"]], "weight": k["weight"], "estimate": k["estimate"]}
        for k in bacon["kinds"]
        if k["weight"]
    ]

    def month(index: int) -> str:
        if 1 <= index <= len(periods):
            return formats.date_format(periods[index - 1], "YEAR_MONTH_FORMAT")
        return str(index)

    cohorts = []
    sizes = r.get("cohort_sizes", {})
    for c in estimates["cs"].get("cohorts", []):  # the group aggregation of Callaway–Sant'Anna
        cohorts.append(
            {
                "label": month(c["cohort"]),
                "units": sizes.get(str(c["cohort"]), 0),
                "att": c["att"],
                "ci_low": c["ci_low"],
                "ci_high": c["ci_high"],
            }
        )
    notes = []
    for note in r.get("notes", []):
        if note["kind"] == "missing":
            notes.append(
                _("Left out because months are missing: %(units)s.")
                % {"units": ", ".join(f"{u['unit']} ({u['missing']})" for u in note["units"])}
            )
        elif note["kind"] == "already":
            notes.append(
                _("Left out because they had adopted before the first month: %(units)s.")
                % {"units": ", ".join(note["units"])}
            )
        elif note["kind"] == "no_staff":
            notes.append(
                _("Left out because they have no staff on the roster: %(units)s.")
                % {"units": ", ".join(note["units"])}
            )
        elif note["kind"] == "small":
            notes.append(
                _(
                    "%(cells)s centre-months rest on fewer than %(threshold)s cases; they are "
                    "used in the estimates but would be suppressed in published tables."
                )
                % {"cells": note["cells"], "threshold": note["threshold"]}
            )
    notes.append(
        _(
            "Staff counts are today's roster: the platform keeps no history of who worked "
            "where, so a centre's share trained uses its present staff."
        )
    )
    level_names = {
        "reaction": _("Reaction (surveys)"),
        "learning": _("Learning (pre- and post-tests)"),
        "behaviour": _("Behaviour (follow-up surveys)"),
    }
    levels = [
        {"label": level_names[k], "figures": level_figures(v)}
        for k, v in (r.get("levels") or {}).items()
        if k in level_names
    ]
    dose = r.get("dose_response") or {}
    return {
        "names": names,
        "estimates": [
            {"key": m, "name": names[m], **estimates[m]} for m in ("cs", "bjs", "sa", "twfe")
        ],
        "primary": primary,
        "explanation": explanation,
        "warning": warning,
        "bacon_rows": bacon_rows,
        "cohorts": cohorts,
        "notes": notes,
        "levels": levels,
        "dose_bins": dose.get("bins", []),
        "dose_slope": dose.get("slope"),
        "dose_slope_se": dose.get("slope_se"),
        "event_study": primary["event_study"],
        "units": r["units"],
        "never_treated": r["never_treated"],
        "periods": periods,
        "unit_label": unit,
        "unit_table": r.get("unit_table", []),
        "chart_title": _("Effect by months since adoption, with 95% intervals"),
        "x_label": _("Months since adoption"),
        "y_label": unit,
    }


def chart_svg(data: dict[str, Any]) -> str:
    return event_study_svg(
        data["event_study"],
        title=data["chart_title"],
        x_label=data["x_label"],
        y_label=data["y_label"],
    )


# -- PDF -----------------------------------------------------------------------------------------

FONT_DIR = Path(settings.BASE_DIR) / "lms" / "static" / "vendor" / "dejavu"


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "Malaka" not in pdfmetrics.getRegisteredFontNames():
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if not regular.exists():
            raise FileNotFoundError(f"{regular} is missing: run `make assets`")
        pdfmetrics.registerFont(TTFont("Malaka", str(regular)))
        pdfmetrics.registerFont(TTFont("Malaka-Bold", str(bold)))
    return "Malaka", "Malaka-Bold"


def render_pdf(study: EvaluationStudy) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    data = summary(study)
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=12, leading=16, spaceBefore=8)
    warn = ParagraphStyle(
        "warn", parent=body, backColor=colors.HexColor("#fff4e0"), borderPadding=4
    )

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(rows: list[list[str]]) -> Table:
        t = Table(rows, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("FONTNAME", (0, 0), (-1, 0), bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f9")),
                ]
            )
        )
        return t

    story: list[Any] = [p(study.title, h1), p(meta_line(study), body), Spacer(1, 4 * mm)]
    if data is None:
        story.append(p(_("This study has not been computed yet.")))
    else:
        story += [p(line) for line in data["explanation"]]
        story.append(p(_("Estimates"), h2))
        story.append(
            table(
                [[_("Method"), _("Effect"), _("Standard error"), _("95% interval")]]
                + [
                    [
                        e["name"],
                        _f(e["att"]),
                        _f(e["se"]),
                        f"{_f(e['ci_low'])} … {_f(e['ci_high'])}",
                    ]
                    for e in data["estimates"]
                ]
            )
        )
        if data["warning"]:
            story += [Spacer(1, 3 * mm), p(data["warning"], warn)]
        story.append(p(data["chart_title"], h2))
        story.append(
            event_study_drawing(
                data["event_study"], x_label=data["x_label"], y_label=data["y_label"], font=regular
            )
        )
        story.append(p(_("Cohorts"), h2))
        story.append(
            table(
                [[_("Adopted in"), _("Centres"), _("Effect"), _("95% interval")]]
                + [
                    [
                        c["label"],
                        str(c["units"]),
                        _f(c["att"]),
                        f"{_f(c['ci_low'])} … {_f(c['ci_high'])}",
                    ]
                    for c in data["cohorts"]
                ]
                + [[_("Never trained"), str(data["never_treated"]), "", ""]]
            )
        )
        story.append(p(_("Where the naive estimate comes from"), h2))
        story.append(
            table(
                [[_("Comparison"), _("Weight"), _("Estimate")]]
                + [[b["label"], _f(b["weight"]), _f(b["estimate"])] for b in data["bacon_rows"]]
            )
        )
        if data["dose_bins"]:
            story.append(p(_("Effect by share of staff trained"), h2))
            story.append(
                table(
                    [[_("Share trained"), _("Centre-months"), _("Effect"), _("95% interval")]]
                    + [
                        [
                            f"{round(100 * b['low'])}–{round(100 * b['high'])}%",
                            str(b["cells"]),
                            _f(b["att"]),
                            f"{_f(b['ci_low'])} … {_f(b['ci_high'])}",
                        ]
                        for b in data["dose_bins"]
                    ]
                )
            )
        story.append(p(_("Learning levels"), h2))
        for level in data["levels"]:
            story.append(p(f"{level['label']}: " + (_levels_text(level["figures"]))))
        story.append(p(_("Data quality"), h2))
        story += [p("• " + n) for n in data["notes"]]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=study.title,
        author="Malaka",
    )
    doc.build(story)
    return buffer.getvalue()


#: The figures a learning level reports (evaluation.levels), in words.
FIGURE_LABELS = {
    "learners": gettext_lazy("learners who took the pre-test"),
    "paired": gettext_lazy("took both tests"),
    "completion_rate": gettext_lazy("share who took both"),
    "mean_pre": gettext_lazy("mean pre-test score (%)"),
    "mean_post": gettext_lazy("mean post-test score (%)"),
    "hake_gain": gettext_lazy("normalised gain (Hake)"),
    "mean_individual_gain": gettext_lazy("mean individual gain"),
    "responses": gettext_lazy("responses"),
    "mean_1_to_5": gettext_lazy("mean answer (1–5)"),
    "agree_share": gettext_lazy("share agreeing (4 or 5)"),
    "learner_responses": gettext_lazy("responses of learners"),
    "learner_mean_1_to_5": gettext_lazy("learners' mean answer (1–5)"),
    "supervisor_responses": gettext_lazy("responses of supervisors"),
    "supervisor_mean_1_to_5": gettext_lazy("supervisors' mean answer (1–5)"),
}


def level_figures(figures: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A level's figures as (label, value) in the reader's language; shares as percents."""
    rows = []
    for key, value in (figures or {}).items():
        if value is None:
            text = "—"
        elif key.endswith(("_rate", "_share")):
            text = f"{100 * value:.0f}%"
        elif isinstance(value, float):
            text = f"{value:.2f}"
        else:
            text = str(value)
        rows.append((str(FIGURE_LABELS.get(key, key.replace("_", " "))), text))
    return rows


def _levels_text(figures: list[tuple[str, str]] | None) -> str:
    if not figures:
        return _("not recorded yet: nobody in these units has answered for these courses.")
    return "; ".join(f"{label}: {value}" for label, value in figures)


def meta_line(study: EvaluationStudy) -> str:
    return _(
        "Outcome: %(indicator)s. Courses: %(courses)s. Units: centres under %(units)s. "
        "Months: %(start)s – %(end)s. Adoption: %(share)s%% of staff trained. Comparison: "
        "%(comparison)s. Bootstrap: %(boot)s replications. Computed: %(when)s."
    ) % {
        "indicator": f"{study.indicator.code} {study.indicator.local_name}",
        "courses": ", ".join(study.course_codes) or "—",
        "units": study.units_root.local_name,
        "start": formats.date_format(study.period_start, "YEAR_MONTH_FORMAT"),
        "end": formats.date_format(study.period_end, "YEAR_MONTH_FORMAT"),
        "share": round(100 * study.adoption_threshold),
        "comparison": study.get_comparison_display(),
        "boot": study.bootstrap,
        "when": formats.date_format(study.computed_at, "DATETIME_FORMAT")
        if study.computed_at
        else "—",
    }


# -- XLSX ----------------------------------------------------------------------------------------


def render_xlsx(study: EvaluationStudy) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = summary(study)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    ws.append([study.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([meta_line(study)])
    if data is None:
        ws.append([_("This study has not been computed yet.")])
    else:
        for line in data["explanation"] + ([data["warning"]] if data["warning"] else []):
            ws.append([line])
        ws.append([])
        ws.append([_("Method"), _("Effect"), _("Standard error"), _("95% interval from"), _("to")])
        for e in data["estimates"]:
            ws.append([e["name"], e["att"], e["se"], e["ci_low"], e["ci_high"]])
        sheet = wb.create_sheet(_("Event study")[:31])
        sheet.append(
            [
                _("Method"),
                _("Months since adoption"),
                _("Effect"),
                _("Standard error"),
                _("95% interval from"),
                _("to"),
            ]
        )
        for e in data["estimates"]:
            for row in e["event_study"]:
                sheet.append(
                    [
                        e["name"],
                        row["event_time"],
                        row["att"],
                        row["se"],
                        row["ci_low"],
                        row["ci_high"],
                    ]
                )
        sheet = wb.create_sheet(_("Cohorts")[:31])
        sheet.append([_("Adopted in"), _("Centres"), _("Effect"), _("95% interval from"), _("to")])
        for c in data["cohorts"]:
            sheet.append([c["label"], c["units"], c["att"], c["ci_low"], c["ci_high"]])
        sheet = wb.create_sheet(_("Centres")[:31])
        sheet.append(
            [_("Code"), _("Name"), _("Staff"), _("Trained"), _("Adopted in"), _("Left out")]
        )
        for u in data["unit_table"]:
            sheet.append(
                [u["code"], u["name"], u["staff"], u["trained"], u["adoption"] or "", u["excluded"]]
            )
        sheet = wb.create_sheet(_("Data quality")[:31])
        for n in data["notes"]:
            sheet.append([n])
        sheet = wb.create_sheet(_("Panel")[:31])
        sheet.append(list(PANEL_COLUMNS))
        for row in study.results.get("panel", []):
            sheet.append([row[c] for c in PANEL_COLUMNS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def panel_csv(study: EvaluationStudy) -> str:
    """The study's estimation panel as CSV, the input of `manage.py evaluation_estimate`."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PANEL_COLUMNS)
    for row in (study.results or {}).get("panel", []):
        writer.writerow([row[c] for c in PANEL_COLUMNS])
    return out.getvalue()
