# Reference values for tests/monitoring/test_series.py (standard error of the chained index).
#
# Run from the repository root:  Rscript tests/monitoring/r/make_index_refs.R
# Needs the R package survey (written with 4.1.1). Reads
#   tests/monitoring/r/estimate_design.csv  the design of make_estimate_refs.R (11 strata, fpc)
#   tests/monitoring/r/index_reports.csv    three months (2026-01 to 2026-03) of reports of all 43
#       enterprises, every one responding; each month's base is the previous month's end.
# and writes tests/monitoring/r/index_refs.csv: base, by, domain, month, index, se, ci_low, ci_high.
#
# One design for the three months, the months side by side (b1, e1, b2, e2, b3, e3): the
# monthly ratios by svyratio(~e1 + e2 + e3, ~b1 + b2 + b3, covmat = TRUE) (all numerator x
# denominator pairs; the three e_t/b_t are used) and the index by svycontrast (the delta method
# on their covariance matrix): 100 R1, 100 R1 R2, 100 R1 R2 R3 from the end of 2025-12; with
# the base at the end of 2026-02: 100 / R2 for 2026-01 and 100 R3 for 2026-03. A city's index: the same on subset(design, city == ...) (a domain of the full
# design). options(survey.lonely.psu = "adjust") (广州市 G large has one enterprise of 5).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
here <- "tests/monitoring/r"
design <- read.csv(file.path(here, "estimate_design.csv"), encoding = "UTF-8", stringsAsFactors = FALSE)
reports <- read.csv(file.path(here, "index_reports.csv"), encoding = "UTF-8", stringsAsFactors = FALSE)
months <- c("2026-01", "2026-02", "2026-03")
dat <- design
for (k in 1:3) {
  m <- reports[reports$month == months[k], ]
  dat[[paste0("b", k)]] <- m$base_employment[match(dat$enterprise_id, m$enterprise_id)]
  dat[[paste0("e", k)]] <- m$end_employment[match(dat$enterprise_id, m$enterprise_id)]
}
dat$cell <- paste(dat$city, dat$section, dat$size_class, dat$state_owned, sep = " / ")
des <- svydesign(ids = ~1, strata = ~cell, weights = ~weight, fpc = ~fpc, data = dat)
show <- function(x) sprintf("%.17g", x)
contrasts <- list(
  "2025-12" = list("2026-01" = quote(100 * `e1/b1`), "2026-02" = quote(100 * `e1/b1` * `e2/b2`),
                   "2026-03" = quote(100 * `e1/b1` * `e2/b2` * `e3/b3`)),
  "2026-02" = list("2026-01" = quote(100 / `e2/b2`), "2026-03" = quote(100 * `e3/b3`))
)
rows <- list()
for (domain in c("all", sort(unique(dat$city)))) {
  d <- if (domain == "all") des else subset(des, city == domain)
  r <- svyratio(~e1 + e2 + e3, ~b1 + b2 + b3, d, covmat = TRUE)
  for (base in names(contrasts)) {
    for (month in names(contrasts[[base]])) {
      c <- svycontrast(r, contrasts[[base]][[month]])
      ci <- confint(c)
      rows[[length(rows) + 1]] <- data.frame(base = base, by = if (domain == "all") "province" else "city",
        domain = domain, month = month, index = show(coef(c)), se = show(SE(c)),
        ci_low = show(ci[1, 1]), ci_high = show(ci[1, 2]))
    }
  }
}
write.csv(do.call(rbind, rows), file.path(here, "index_refs.csv"), row.names = FALSE, fileEncoding = "UTF-8")
