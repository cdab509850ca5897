# Reference values for tests/sampling/test_representativeness.py: the Rao-Scott goodness of
# fit (svygofchisq) and the estimated totals (svytotal) of stratified designs WITHOUT
# replacement, with finite population correction and a take-all stratum.
#
# Run:  Rscript tests/sampling/r/make_fpc_refs.R      (R 4.x, survey 4.1.1)
# The data are built from the row number, so the Python test rebuilds them without a file:
#   i        = 0, ..., 101
#   stratum  = 0 for i < 30, 1 for i < 60, 2 for i < 90, 3 for i < 102 (n_h = 30, 30, 30, 12)
#   N        = 2100, 990, 300, 12 by stratum (fractions 1.4%, 3%, 10%, 100%: stratum 3 is take-all)
#   w        = N / n = 70, 33, 10, 1
#   cluster  = i %/% 3 (3 units each; M = 700, 330, 100, 4 clusters in the population)
#   category = c("A","B","C","D")[((i * i + i %/% 3) %% 9) %% 4 + 1]
#   city     = "g1" for strata 0 and 3, "g2" for strata 1 and 2
# Tested shares p = (0.4, 0.3, 0.2, 0.1); by city g1 the same, g2 (0.25, 0.25, 0.25, 0.25).
# "lonely": the same data plus unit i = 102 alone in stratum 4 (N = 50, w = 50), with
# options(survey.lonely.psu = "adjust").
suppressMessages(library(survey))
make <- function(i) {
  stratum <- ifelse(i < 30, 0, ifelse(i < 60, 1, ifelse(i < 90, 2, ifelse(i < 102, 3, 4))))
  N <- c(2100, 990, 300, 12, 50)[stratum + 1]
  n <- c(30, 30, 30, 12, 1)[stratum + 1]
  data.frame(
    i = i, stratum = stratum, N = N, w = N / n, cluster = i %/% 3, M = N / 3,
    category = factor(c("A", "B", "C", "D")[((i * i + i %/% 3) %% 9) %% 4 + 1], levels = c("A", "B", "C", "D")),
    city = ifelse(stratum %in% c(0, 3), "g1", "g2")
  )
}
dat <- make(0:101)
p <- c(0.4, 0.3, 0.2, 0.1)
show <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
report <- function(name, design, p) {
  r <- svygofchisq(~category, p = p, design = design)
  t <- svytotal(~category, design)
  cat("design:", name, "\n")
  cat("  statistic:", show(r$statistic), "\n")
  cat("  scale:", show(r$parameter["scale"]), "\n")
  cat("  df:", show(r$parameter["df"]), "\n")
  cat("  p.value:", show(r$p.value), "\n")
  cat("  lambda:", show(r$lambda), "\n")
  cat("  total:", show(coef(t)), "\n")
  cat("  se:", show(SE(t)), "\n")
}
cat("# survey", as.character(packageVersion("survey")), "\n")
cat("counts by stratum and category:", show(as.vector(table(dat$stratum, dat$category))), "\n")
srswor <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N, data = dat)
report("srswor_fpc", srswor, p)
# the same design with the weights given explicitly (svydesign computes N / n itself above)
report("srswor_fpc_weights", svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~w, data = dat), p)
# with replacement (no fpc): the take-all stratum then has a variance
report("srswr", svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = dat), p)
# one-stage cluster sampling with fpc (M clusters per stratum)
report("cluster_fpc", svydesign(ids = ~cluster, strata = ~stratum, fpc = ~M, weights = ~w, data = dat), p)
# by city: strata nested in cities, so the domain equals the city's own design
report("city_g1", subset(srswor, city == "g1"), p)
report("city_g2", subset(srswor, city == "g2"), c(0.25, 0.25, 0.25, 0.25))
options(survey.lonely.psu = "adjust")
lonely <- make(0:102)
report("lonely_adjust", svydesign(ids = ~1, strata = ~stratum, fpc = ~N, data = lonely), p)
