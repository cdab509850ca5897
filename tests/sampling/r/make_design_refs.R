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
# The survey 4.1.1 pairing problem described above: the same test with unsorted labels.
unsorted <- update(des, unsorted = factor(c("lt100", "100to299", "ge300")[as.integer(band)],
                                           levels = c("lt100", "100to299", "ge300")))
u <- svygofchisq(~unsorted, p = c(0.3, 0.4, 0.3), design = unsorted)
cat("unsorted labels: statistic", show(u$statistic), " lambda", show(u$lambda), "\n")
