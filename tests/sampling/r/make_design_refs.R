# Reference values for tests/sampling/test_sample.py::test_r_reads_the_design_export: R reads the
# design that Sample.write_survey_design wrote (tests/sampling/r/sample_design.csv; the test
# checks the file is what the library writes today) and estimates from it.
#
# Run:  Rscript tests/sampling/r/make_design_refs.R      (R 4.x, survey 4.1.1)
# The sample: 4 quota cells in 2 cities, simple random sampling in the cells, a kept panel in
# two of them (take-all strata) and one cell taken whole. Variable: employees in three bands,
# [0, 100), [100, 300), [300, Inf), tested against shares p = (0.3, 0.4, 0.3).
#
# The band labels are in alphabetical order (b1, b2, b3) on purpose: survey 4.1.1's
# svygofchisq pairs the expected shares with the categories through split(), which sorts the
# labels, so with levels not in alphabetical order (e.g. "lt100", "100to299", "ge300") its
# linearisation uses another category's p and its eigenvalues, scale, df and p-value are
# wrong (X-squared, from chisq.test, is right). The last lines show it on these data.
suppressMessages(library(survey))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
d <- read.csv(file.path(here, "sample_design.csv"), encoding = "UTF-8")
d$band <- cut(d$employees, c(-Inf, 100, 300, Inf), right = FALSE, labels = c("b1", "b2", "b3"))
des <- svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~weight, data = d)
show <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
cat("# survey", as.character(packageVersion("survey")), "\n")
cat("rows:", nrow(d), " strata:", length(unique(d$stratum)), "\n")
t <- svytotal(~band, des)
cat("total:", show(coef(t)), "\n")
cat("se:", show(SE(t)), "\n")
r <- svygofchisq(~band, p = c(0.3, 0.4, 0.3), design = des)
cat("statistic:", show(r$statistic), "\n")
cat("scale:", show(r$parameter["scale"]), "\n")
cat("df:", show(r$parameter["df"]), "\n")
cat("p.value:", show(r$p.value), "\n")
cat("lambda:", show(r$lambda), "\n")
e <- svytotal(~employees, des)
cat("employees total:", show(coef(e)), " se:", show(SE(e)), "\n")
# The audit's per-city test (tests/sampling/test_audit.py::test_weighted_audit_uses_the_cells_and_fpc).
# Every audited dimension is a cell variable, so under the cell-stratified design its weighted
# totals vary only through the weights varying within a cell (with simple random sampling in
# the cells they are exact: X-squared 0, scale NaN). The test therefore gives the drawn
# enterprises weights varying within their cells, as a size-based design would: w2 = weight x
# 0.9, 1.0, 1.1 by row (row i, from 0: factor number i mod 3), panel weights kept. Section
# shares against the register's enterprises (广州市 C 40, G 25; 韶关市 C 8, G 30), within each
# city's cells (the domain equals the city's own design, the strata being nested in the
# cities) and over all cells for the province.
d$w2 <- ifelse(d$role == "panel", d$weight, d$weight * c(0.9, 1.0, 1.1)[(seq_len(nrow(d)) - 1) %% 3 + 1])
varying <- svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~w2, data = d)
audit_test <- function(name, design, p) {
  r <- svygofchisq(~section, p = p, design = design)
  cat("audit", name, ": statistic", show(r$statistic), " scale", show(r$parameter["scale"]),
      " df", show(r$parameter["df"]), " p.value", show(r$p.value), "\n")
}
audit_test("guangzhou", subset(varying, city == "广州市"), c(40, 25) / 65)
audit_test("shaoguan", subset(varying, city == "韶关市"), c(8, 30) / 38)
audit_test("province", varying, c(48, 55) / 103)
# The survey 4.1.1 pairing problem described above: the same test with unsorted labels.
unsorted <- update(des, unsorted = factor(c("lt100", "100to299", "ge300")[as.integer(band)],
                                           levels = c("lt100", "100to299", "ge300")))
u <- svygofchisq(~unsorted, p = c(0.3, 0.4, 0.3), design = unsorted)
cat("unsorted labels: statistic", show(u$statistic), " lambda", show(u$lambda), "\n")
