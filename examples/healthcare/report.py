"""The monthly report: an HTML page per month (tables and a bar chart drawn as inline
SVG, no external script) written where the quality team picks it up, and a one-row
summary stored as the asset's value."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets_core import asset
from assets_core.execution.context import AssetExecutionContext
from examples.healthcare.partitions import monthly


@dataclass(frozen=True)
class ReportFolder:
    """Where the monthly HTML reports go.

    Attributes:
        root: The folder; default ``$ASSETLINE_HOME/reports/healthcare``.
    """

    root: str | None = None

    def path(self, month: str) -> Path:
        base = (
            Path(self.root)
            if self.root is not None
            else Path(os.environ.get("ASSETLINE_HOME", ".assetline")) / "reports" / "healthcare"
        )
        return base / f"{month}.html"


def bar_chart(labels: list[str], values: list[float], title: str) -> str:
    """A horizontal bar chart as inline SVG."""
    width, row, left = 520, 24, 130
    top = max(values, default=0) or 1
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 30 + i * row
        length = (width - left - 60) * value / top
        bars.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="#4c78a8"/><text x="{left + length + 6:.1f}" y="{y + 15}">{value:g}</text>'
        )
    height = 40 + len(labels) * row
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12" role="img" aria-label="{html.escape(title)}">'
        f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>{"".join(bars)}</svg>'
    )


def render(month: str, admissions: pd.DataFrame, labs: pd.DataFrame) -> str:
    by_department = admissions.groupby("department")["encounters"].sum().sort_index()
    chart = bar_chart(
        [str(d) for d in by_department.index],
        [float(v) for v in by_department.to_numpy()],
        f"Encounters by department, {month}",
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Hospital report {month}"
        "</title></head><body>"
        f"<h1>Hospital quality report: {month}</h1>{chart}"
        "<h2>Admissions by department and age band</h2>"
        f"{admissions.to_html(index=False)}"
        "<h2>Abnormal lab results</h2>"
        f"{labs.to_html(index=False)}"
        "<p>All figures are de-identified aggregates.</p></body></html>"
    )


@asset(
    key_prefix="reports",
    group="reports",
    owners=["team:quality-reporting"],
    partitions=monthly,
    code_version="1",
    required_resources=["reports"],
    tags={"phi": "no"},
)
def monthly_report(
    context: AssetExecutionContext,
    monthly_admissions: pd.DataFrame,
    lab_abnormal_rates: pd.DataFrame,
) -> pd.DataFrame:
    """The month's HTML report (written to the report folder) and its headline figures."""
    month = context.partition_time_window.start.strftime("%Y-%m")
    folder: ReportFolder = context.resources.reports
    path = folder.path(month)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(month, monthly_admissions, lab_abnormal_rates))
    context.add_metadata(report=str(path))
    tests = int(lab_abnormal_rates["tests"].sum())
    return pd.DataFrame(
        {
            "month": [month],
            "encounters": [int(monthly_admissions["encounters"].sum())],
            "lab_tests": [tests],
            "abnormal_rate": [
                round(int(lab_abnormal_rates["abnormal"].sum()) / tests, 3) if tests else 0.0
            ],
            "report_path": [str(path)],
        }
    )
