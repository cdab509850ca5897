# Reference values for tests/sampling/test_representativeness.py (Rao-Scott goodness of fit).
#
# Run:  Rscript tests/sampling/r/make_audit_refs.R
# Needs the R package survey (tested with 4.1.1). The data are built from the row number by
# formulas, so the Python test rebuilds exactly the same data without reading any file:
#   i        = 0, ..., 79
#   stratum  = i %/% 30                    (three strata: 30, 30 and 20 units)
#   cluster  = i %/% 5                     (16 clusters of 5, nested in the strata)
#   w        = 2 + (7 * i) %% 11           (design weights 2 ... 12)
#   category = c("A","B","C","D")[((i * i + i %/% 3) %% 9) %% 4 + 1]
# Tested shares p = (0.4, 0.3, 0.2, 0.1).
#
# Second order: survey::svygofchisq (X-squared on the estimated totals, Satterthwaite scale and
# df from the eigenvalues lambda, its p-value). First order (Rao & Scott 1981): X-squared divided
# by the mean of the k - 1 non-zero eigenvalues, referred to chi-squared with k - 1 df.
suppressMessages(library(survey))
i <- 0:79
dat <- data.frame(
  stratum = i %/% 30,
  cluster = i %/% 5,
  w = 2 + (7 * i) %% 11,
  category = factor(c("A", "B", "C", "D")[((i * i + i %/% 3) %% 9) %% 4 + 1])
)
p <- c(0.4, 0.3, 0.2, 0.1)
designs <- list(
  weights_only = svydesign(ids = ~1, weights = ~w, data = dat),
  stratified_cluster = svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, data = dat, nest = TRUE)
)
show <- function(x) paste(sprintf("%.15g", x), collapse = ", ")
cat("counts:", show(table(dat$category)), "\n")
for (name in names(designs)) {
  r <- svygofchisq(~category, p = p, design = designs[[name]])
  lam <- r$lambda
  k <- length(p)
  first_scale <- sum(lam) / (k - 1)
  cat("design:", name, "\n")
  cat("  statistic:", show(r$statistic), "\n")
  cat("  scale:", show(r$parameter["scale"]), "\n")
  cat("  df:", show(r$parameter["df"]), "\n")
  cat("  p.value:", show(r$p.value), "\n")
  cat("  lambda:", show(lam), "\n")
  cat("  first_order_scale:", show(first_scale), "\n")
  cat("  first_order_p.value:", show(pchisq(r$statistic / first_scale, k - 1, lower.tail = FALSE)), "\n")
}

# Pearson goodness of fit (base R stats::chisq.test), for
#   test_representativeness.py::test_rao_scott_equal_weights_hand_calculation: the reference
#     data's counts against p, and svygofchisq with every weight 3 (X2 on totals = 3 x Pearson);
#   test_audit.py::test_per_city_pearson_equals_chisquare_gof: 韶关's sample after moving 5
#     C large state-owned to C medium and 7 G small to E small, against the population's
#     enterprise counts (base mix x 10, micro left out).
pearson <- function(name, obs, pop) {
  r <- suppressWarnings(chisq.test(obs, p = pop / sum(pop)))
  cat(name, ": statistic ", show(r$statistic), ", df ", show(r$parameter), ", p.value ", show(r$p.value),
      ", w ", show(sqrt(r$statistic / sum(obs))), "\n", sep = "")
}
pearson("pearson_reference_counts", as.vector(table(dat$category)), p)
r3 <- svygofchisq(~category, p = p, design = svydesign(ids = ~1, weights = ~I(0 * w + 3), data = dat))
cat("equal_weights_3: statistic", show(r3$statistic), "\n")
pearson("audit_section", c(C = 24, E = 23, G = 13), c(240, 160, 200))
pearson("audit_size_class", c(large = 7, medium = 29, small = 24), c(120, 240, 240))
pearson("audit_state_owned", c(false = 40, true = 20), c(400, 200))
