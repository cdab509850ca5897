"""Write the notebooks in notebooks/ (stored without outputs; the test suite executes them).

python tools/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

GUANGDONG = [
    new_markdown_cell(
        "# Guangdong 2013: from 3,000 to 10,000 monitored enterprises\n\n"
        "The walkthrough of the whole pipeline on the shipped data: read the official task table (what the "
        "province gave each city), explain it by a blend of employment and GDP, compute the plan's allocation "
        "beside it, build the quota tables on the official task, select enterprises keeping the existing "
        "panel, mark the national subset (两网合并) and audit the result.\n\n"
        "**The enterprise register is synthetic** (`sampling.synthetic.make_frame`): the real 名录库 is "
        "confidential. Everything else (city statistics, the panel, the task table, the rules) is real."
    ),
    new_code_cell(
        "import pandas as pd\n"
        "from allocation import allocate_cities, explain\n"
        "from quotas import datasets\n"
        "from quotas.tiers import tier_minimum\n"
        "from quotas import GUANGDONG_2013, MOHRSS_2011, build_quotas\n"
        "from sampling import audit, national_subset, select, structure\n\n"
        "gd = datasets.guangdong_2012()\n"
        "task = datasets.guangdong_2013_task()\n"
        "task"
    ),
    new_markdown_cell(
        "## 1. The official task, explained\n\n"
        "The plan allocates by each city's share of employed persons (从业人员) and of GDP. No shipped column "
        "measures total employment (urban-unit employment leaves out most of 东莞's workers), so resident "
        "population stands in for it, as the data README documents. `explain` finds the blend of the two "
        "that fits the official table best (least squares on shares, weights on the simplex) and each city's "
        "implied tilt: what it was given divided by what the blend alone gives."
    ),
    new_code_cell(
        'stats = pd.DataFrame({"employment": gd["population_census_2010"], "gdp": gd["gdp"],\n'
        '                      "population": gd["population_census_2010"]})\n'
        'explanation = explain(task["target_10000"], stats[["employment", "gdp"]])\n'
        "explanation"
    ),
    new_code_cell("from quotas.plotting import cjk_font\nwith cjk_font():\n    explanation.plot()"),
    new_markdown_cell(
        "## 2. The plan's allocation beside it\n\n"
        "Employment 0.5 + GDP 0.5, the minimums of 人社部函〔2011〕308号, the existing panel as floors, and the "
        'moderate tilt "according to the local economy and how the existing monitoring work has gone": '
        "the example's documented choice (`monitoring_work_tilt`) multiplies the share of a city whose "
        "existing panel runs ahead of its proportional share by the square root of the ratio."
    ),
    new_code_cell(
        "from empmon.examples import monitoring_work_tilt\n"
        'share = 0.5 * stats["employment"] / stats["employment"].sum() + 0.5 * stats["gdp"] / stats["gdp"].sum()\n'
        'tilt = monitoring_work_tilt(task["panel_3000"], share)\n'
        'alloc = allocate_cities(stats, 10_000, weights={"employment": 0.5, "gdp": 0.5},\n'
        '                        minimum=tier_minimum(stats["population"]), existing=task["panel_3000"], tilt=tilt)\n'
        'side = pd.DataFrame({"official": task["target_10000"], "computed": alloc.allocated,\n'
        '                     "without tilt": alloc.to_frame().set_index("city")["allocated_without_tilt"]})\n'
        'side["difference"] = side["computed"] - side["official"]\n'
        'print("L1 with the tilt", side["difference"].abs().sum(),\n'
        '      "without", (side["without tilt"] - side["official"]).abs().sum())\n'
        "side"
    ),
    new_markdown_cell(
        "## 3. The (synthetic) register and its structure\n\n"
        "`guangdong_register` draws a register, keeps the plan's scope (secondary and tertiary industry), "
        "marks the 3,000 existing panel enterprises among each city's non-micro enterprises in its "
        "top sections (the panel was chosen under the same rules) and, since the plan does not name them, "
        "641 of those in 广州, 深圳 and 佛山 as already reporting to the national monitoring."
    ),
    new_code_cell(
        "from empmon.examples import guangdong_register\n"
        'frame = guangdong_register(200_000, panel=task["panel_3000"], random_state=2013)\n'
        "population = structure(frame)\n"
        "population.head()"
    ),
    new_markdown_cell(
        "## 4. Quota tables on the official task and split\n\n"
        "An integer linear program per city: as close as possible to the proportional ideal, every "
        "hard rule held, soft rules (原则上) relaxed only when the data leave no other way, and "
        "reported. Each city's target and secondary / tertiary split are the annex's."
    ),
    new_code_cell(
        'quotas = build_quotas(population, task["target_10000"], rules=GUANGDONG_2013,\n'
        '                      sector_targets=task[["secondary", "tertiary"]], population=stats["population"])\n'
        "quotas"
    ),
    new_code_cell('quotas.pivot("云浮市")'),
    new_code_cell("quotas.relaxed"),
    new_markdown_cell(
        "## 5. Selection: the panel stays, new enterprises by Pareto pi-ps with permanent random numbers"
    ),
    new_code_cell('sample = select(frame, quotas, method="pareto", reserves=2, random_state=2013)\nsample'),
    new_markdown_cell(
        "## 6. The national subset (两网合并)\n\n"
        "About 1,000 of the 10,000 (641 already) also report to the national unemployment dynamic "
        "monitoring: the existing ones are kept, the rest taken from the sample of 广州, 深圳 and 佛山 "
        "cell by cell in PRN order, each city at least the ministry's 60; the 2011 rules are checked "
        "on that subset, per city."
    ),
    new_code_cell(
        'national = national_subset(sample, cities=["广州", "深圳", "佛山"], target=1000,\n'
        '                           existing=frame.loc[frame["national"], "enterprise_id"],\n'
        '                           city_population=stats["population"], rules=MOHRSS_2011, register=frame)\n'
        "sample = national.flag(sample)\n"
        "national"
    ),
    new_markdown_cell("## 7. Audit of the whole sample"),
    new_code_cell(
        'report = audit(sample, rules=GUANGDONG_2013, register=frame, targets=task["target_10000"],\n'
        '               sector_targets=task[["secondary", "tertiary"]], city_population=stats["population"])\n'
        "report"
    ),
    new_code_cell("report.plot();"),
]

AUDIT = [
    new_markdown_cell(
        "# Audit a city's proposed list of monitoring enterprises\n\n"
        "A city bureau sends its list in the ministry's registration layout (企业名称, 统一社会信用代码, 企业性质, "
        "所属行业, 建档期期末就业人数, ...), with a title row above the table and a 合计 row below it. "
        "The province checks it against 人社部函〔2011〕308号 before reporting, then asks for fixes.\n\n"
        "**The register and the list are synthetic** (the real ones are confidential)."
    ),
    new_code_cell(
        "import numpy as np\n"
        "import pandas as pd\n"
        "from openpyxl import Workbook\n"
        "from quotas import MOHRSS_2011\n"
        "from quotas.classify import registration_types\n"
        "from sampling import audit, prepare_frame, read_sample, synthetic\n\n"
        "frame = prepare_frame(synthetic.make_frame(200_000, random_state=7))\n"
        'city = frame[frame["city"] == "湛江市"]\n'
        "len(city)"
    ),
    new_markdown_cell(
        "## The bureau's file\n\n"
        "80 enterprises: half of them factories, two micro firms, and one enterprise listed twice."
    ),
    new_code_cell(
        'eligible = city[city["size_class"] != "micro"]\n'
        'manufacturing = eligible[eligible["section"] == "C"].sample(40, random_state=1)\n'
        'others = eligible[eligible["section"] != "C"].sample(38, random_state=1)\n'
        'micro = city[city["size_class"] == "micro"].sample(2, random_state=1)\n'
        "proposal = pd.concat([manufacturing, others, micro, manufacturing.head(1)])\n\n"
        'type_names = dict(zip(registration_types()["code"], registration_types()["name_zh"]))\n'
        "wb = Workbook()\n"
        "ws = wb.active\n"
        'ws.title = "湛江市"\n'
        'ws.append(["湛江市企业用工定点监测企业名单(2013年)"])\n'
        'ws.merge_cells("A1:G1")\n'
        'ws.append(["企业名称", "统一社会信用代码", "企业性质", "所属行业", "建档期期末就业人数", "营业收入(万元)", "资产总额(万元)"])\n'
        "for r in proposal.itertuples():\n"
        "    ws.append([r.name, r.enterprise_id, type_names[r.registration_type], r.industry,\n"
        "               int(r.employees), float(r.revenue), float(r.assets)])\n"
        'ws.append(["合计", None, None, None, int(proposal["employees"].sum()), None, None])\n'
        'wb.save("湛江市监测企业名单.xlsx")'
    ),
    new_markdown_cell(
        "## Read it\n\n"
        "The title row and the 合计 row are not enterprises: they are skipped **and reported** "
        '(`attrs["skipped"]`, and a warning).'
    ),
    new_code_cell(
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        '    warnings.simplefilter("always")\n'
        '    proposed = read_sample("湛江市监测企业名单.xlsx")\n'
        'print(*[str(w.message) for w in caught], sep="\\n")\n'
        'proposed.attrs["skipped"]'
    ),
    new_markdown_cell("## Audit it"),
    new_code_cell("report = audit(proposed, rules=MOHRSS_2011, register=frame)\nreport"),
    new_code_cell(
        'report.to_frame().query("status in [\'fail\', \'warn\']")[["rule", "observed", "limit", "status", "message_zh"]]'
    ),
    new_markdown_cell(
        "## Fix it\n\n"
        "Drop the duplicate and the micro firms, keep only the city's top 10 sections by employment, "
        "cap manufacturing at 40% and top the list up to 80 from the register."
    ),
    new_code_cell(
        'top10 = city.groupby("section")["employees"].sum().nlargest(10).index\n'
        'listed = frame.set_index("enterprise_id").loc[proposed["enterprise_id"].drop_duplicates()]\n'
        'keep = listed[(listed["size_class"] != "micro") & listed["section"].isin(top10)]\n'
        'keep = pd.concat([keep[keep["section"] == "C"].head(32), keep[keep["section"] != "C"]])\n'
        'pool = eligible[eligible["section"].isin(top10) & (eligible["section"] != "C")\n'
        '                & ~eligible["enterprise_id"].isin(keep.index)]\n'
        "extra = pool.sample(80 - len(keep), random_state=2)\n"
        "fixed = pd.concat([keep.reset_index(), extra])\n"
        "fixed_report = audit(fixed, rules=MOHRSS_2011, register=frame)\n"
        "print(fixed_report.summary())"
    ),
    new_code_cell("assert fixed_report.passed"),
]


def write(name: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, ROOT / "notebooks" / name)


if __name__ == "__main__":
    from make_notebook_monthly import MONTHLY

    write("guangdong_2013.ipynb", GUANGDONG)
    write("audit_a_sample.ipynb", AUDIT)
    write("monthly_reports.ipynb", MONTHLY)
