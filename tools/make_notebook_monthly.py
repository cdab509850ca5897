"""The cells of notebooks/monthly_reports.ipynb ("from a month's reports to the province's figures").

tools/make_notebooks.py writes it with the others:

python tools/make_notebooks.py
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

MONTHLY = [
    new_markdown_cell(
        "# From a month's reports to the province's figures\n\n"
        "Every month each monitored enterprise reports its employment on the ministry's form 附表一 "
        "(监测城市就业人员变化情况表); the city bureau checks the reports and sends them up; the province "
        "sums them into 附表二 and estimates how employment moved, with its precision. This notebook "
        "does all of it on one month.\n\n"
        "**Everything here is synthetic**: the register (`sampling.synthetic.make_frame`) and the month's "
        "reports (`monitoring.synthetic.make_month`, with planted mistakes and non-response). Real "
        "registers and reports are confidential."
    ),
    new_markdown_cell(
        "## 1. The monitored enterprises\n\nA small sample of a synthetic Guangdong register, 5% per cell."
    ),
    new_code_cell(
        "import pandas as pd\n"
        "from sampling import select\n"
        "from sampling.prepare import prepare_frame\n"
        "from sampling.synthetic import make_frame\n\n"
        "frame = prepare_frame(make_frame(40_000, random_state=2013))\n"
        'keys = ["city", "section", "size_class", "state_owned"]\n'
        'cells = frame.groupby(keys, observed=True).size().rename("n").reset_index()\n'
        'cells["quota"] = (cells["n"] * 0.05).round().clip(lower=1).astype(int)\n'
        'sample = select(frame, cells.drop(columns="n"), method="pareto", size="employees", random_state=2013)\n'
        "sample"
    ),
    new_markdown_cell(
        "## 2. The cities' reports\n\n"
        "January 2013, as the city bureaus would send it: one sheet per city in the form's layout "
        "(title, month, the two-row header with 减少类型 over columns (7)-(11), the row of column "
        "numbers, the enterprises, the total row). The form has no id column; these files add the "
        "统一社会信用代码 after (12), as many provinces do."
    ),
    new_code_cell(
        "from monitoring.forms import write_city_forms\n"
        "from monitoring.synthetic import SYNTHETIC_NOTE, make_month\n\n"
        'january = make_month(sample, month="2013-01", random_state=1)\n'
        'write_city_forms(january, "附表一_2013-01.xlsx", note=SYNTHETIC_NOTE, with_ids=True)\n'
        'january.attrs["mistakes"]'
    ),
    new_markdown_cell(
        "## 3. Reading them back\n\n"
        "`read_reports` finds the header, recognises the columns by their Chinese headers (or by the row "
        "of column numbers), and lists every row it did not read as an enterprise: title rows, the "
        "column-number row, total rows. Industry codes of GB/T 4754-2002 (the form's own edition), 2011 "
        "or 2017 are converted to 2011 divisions (`industry_version=`)."
    ),
    new_code_cell(
        "from monitoring import read_monitored, read_reports\n\n"
        "listed = read_monitored(sample)\n"
        'reports = read_reports("附表一_2013-01.xlsx", monitored=listed)\n'
        'reports.attrs["skipped"].head(8)'
    ),
    new_markdown_cell(
        "## 4. Checking the submission\n\n"
        "The form's arithmetic ((5) = (4) - (3), (6) = (5) / (3) x 100), the decrease types and reasons, "
        "the monitored list (missing, unknown, repeated reports; name, city, registration type, "
        "industry), the changes that need a special explanation (专项说明) and the deadline (the 5th of "
        "the next month). Failures come first."
    ),
    new_code_cell(
        "from monitoring import check_reports\n\n"
        'check = check_reports(reports, listed, submitted=january.attrs["submitted"])\n'
        'check.to_excel("审核结果_2013-01.xlsx")\n'
        "check"
    ),
    new_code_cell("check.cities"),
    new_markdown_cell(
        "## 5. The province's summary (附表二)\n\n"
        "Reports of enterprises not on the list and repeated reports are set aside (in practice the city "
        "corrects them); the rest are summed by city and by industry. Rates are computed from the totals."
    ),
    new_code_cell(
        "from empmon.monthly import usable_reports\n"
        "from monitoring import summarize\n\n"
        "usable, notes = usable_reports(reports, listed)\n"
        "print(notes)\n"
        "summary = summarize(usable)\n"
        'summary.to_excel("附表二_2013-01.xlsx", note=SYNTHETIC_NOTE)\n'
        "summary"
    ),
    new_code_cell("print(summary.largest_decreases_zh())"),
    new_markdown_cell(
        "## 6. Estimates with standard errors\n\n"
        "The sums above describe the monitored enterprises. The province's figures weight each "
        "enterprise by its design weight, adjusted within its cell for the enterprises that did not "
        "report; closures stay in as job losses. Standard errors are stratified by the sample's cells "
        "with the finite population correction, ratios linearised (the numbers of R's `survey`)."
    ),
    new_code_cell(
        "from monitoring import estimate\n\n"
        'estimates = estimate(usable, sample, by=("city", "section", "size_class"))\n'
        "print(estimates.headline())\n"
        'estimates.wide("change_rate").query("by == \'city\'")'
    ),
    new_markdown_cell(
        "## 7. The next month\n\n"
        "February's base is January's end: `previous=` checks it enterprise by enterprise."
    ),
    new_code_cell(
        'february = make_month(sample, month="2013-02", previous=january, mistakes=0, random_state=2)\n'
        "check_reports(february, listed, previous=january).headline()"
    ),
]
"""The notebook's cells."""
