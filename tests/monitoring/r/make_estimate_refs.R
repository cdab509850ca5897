# Reference values for tests/monitoring/test_estimate.py and test_nonresponse.py.
#
# Run from the repository root:  Rscript tests/monitoring/r/make_estimate_refs.R
# Needs the R package survey (written with 4.1.1). Reads
#   tests/monitoring/r/estimate_design.csv   43 monitored enterprises in 11 strata (the quota
#       cells city x section x size_class x state_owned): weight = design weight, fpc = N_h,
#       the cell's enterprises in the register. Two cells are taken whole (N_h = n_h: 广州市 C
#       large, 深圳市 C large); 广州市 C small mixes 2 panel enterprises (weight 1) with 6 drawn
#       (weight 38/6).
#   tests/monitoring/r/estimate_reports.csv  one month's reports of the same 43: 11 did not respond
#       (end employment and change blank); E007 closed, reported with (4) blank and (5) = -(3);
#       E032 closed, reported with (4) = 0. Two cells have no respondent (广州市 G large state,
#       深圳市 G micro non-state) and one has a single respondent (深圳市 C small).
# and writes
#   tests/monitoring/r/estimate_refs.csv     case, by, domain, measure, estimate, se, ci_low, ci_high
#   tests/monitoring/r/estimate_weights.csv  case, enterprise_id, weight (the adjusted weights)
#
# The adjustments are computed here, independently of the Python code, from their documented
# definitions (monitoring/nonresponse.py):
#   end employment: (4), or (3) + (5) when (4) is blank; responded = base and end both known.
#   "cell": w* = w x sum(w of the cell's monitored) / sum(w of its respondents). A cell with no
#     respondent gives the sum of its monitored enterprises' weights to the respondents of the
#     nearest group with respondents - (city, section, size_class), then (city, section), then
#     (city) - in proportion to their adjusted weights. Here 深圳市 G micro non-state goes to
#     深圳市 G micro state (same city, section and size), 广州市 G large state to 广州市 G (no
#     other 广州市 G large cell). R is then given the respondents only, with the adjusted weights,
#     as a stratified design: svydesign(ids = ~1, strata = ~cell, weights = ~weight,
#     fpc = ~fpc): the fpc is 1 - r_h / N_h with r_h the cell's respondents.
#   "unchanged": every monitored enterprise with its design weight; a non-respondent's end
#     employment is its base. R is given all 43 with the design weights.
# A stratum with one enterprise in the data: options(survey.lonely.psu = "adjust" / "average" /
# "remove"), the case names say which; case cell_adjust also has crossed domains city x size_class,
# case climate the employment climate index (lonely "adjust"); case stratum_adjust the
# sample's survey design (panel and drawn strata), described below. Domains: svyby over the full design (svytotal,
# svyratio, svymean); the intervals are confint() (normal quantile, 95%).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
here <- "tests/monitoring/r"
design <- read.csv(file.path(here, "estimate_design.csv"), encoding = "UTF-8", stringsAsFactors = FALSE)
reports <- read.csv(file.path(here, "estimate_reports.csv"), encoding = "UTF-8", stringsAsFactors = FALSE)
dat <- merge(design, reports[, c("enterprise_id", "base_employment", "end_employment", "change")],
             by = "enterprise_id", all.x = TRUE, sort = TRUE)
derive <- is.na(dat$end_employment) & !is.na(dat$base_employment) & !is.na(dat$change)
dat$end_employment[derive] <- dat$base_employment[derive] + dat$change[derive]
dat$responded <- !is.na(dat$base_employment) & !is.na(dat$end_employment)
dat$cell <- paste(dat$city, dat$section, dat$size_class, dat$state_owned, sep = " / ")

# w* within each stratum, then each stratum without respondents to the nearest group (levels,
# finest first) with respondents, in proportion to the adjusted weights
collapse_weights <- function(dat, stratum, levels) {
  s <- dat[[stratum]]
  sampled <- tapply(dat$weight, s, sum)
  kept <- tapply(ifelse(dat$responded, dat$weight, 0), s, sum)
  w <- ifelse(dat$responded, dat$weight * sampled[s] / kept[s], 0)
  waiting <- names(kept)[kept == 0]
  for (keys in levels) {
    group <- do.call(paste, c(dat[keys], sep = " / "))
    has <- tapply(dat$responded, group, any)
    stratum_group <- tapply(group, s, function(g) g[1])
    moving <- waiting[has[stratum_group[waiting]]]
    if (length(moving) == 0) next
    extra <- tapply(sampled[moving], stratum_group[moving], sum)
    carried <- tapply(w, group, sum)
    gain <- ifelse(group %in% names(extra), extra[group] / carried[group], 0)
    gain[is.na(gain)] <- 0
    w <- w * (1 + gain)
    waiting <- setdiff(waiting, moving)
  }
  stopifnot(length(waiting) == 0)
  w
}
cell_levels <- list(c("city", "section", "size_class"), c("city", "section"), c("city"))
cell_weights <- function(dat) collapse_weights(dat, "cell", cell_levels)

show <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(case, by, domain, measure, est, se, ci) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, by = by, domain = domain, measure = measure,
    estimate = show(est), se = show(se), ci_low = show(ci[, 1]), ci_high = show(ci[, 2]))
}
estimates <- function(case, des) {
  des <- update(des, fell = as.numeric(end_employment < base_employment),
                change = end_employment - base_employment)
  for (v in c("base_employment", "end_employment", "change")) {
    f <- as.formula(paste0("~", v))
    t <- svytotal(f, des)
    add(case, "province", "all", v, coef(t), SE(t), confint(t))
    for (by in c("city", "section", "size_class")) {
      b <- svyby(f, as.formula(paste0("~", by)), des, svytotal)
      add(case, by, b[[by]], v, coef(b), SE(b), confint(b))
    }
  }
  r <- svyratio(~end_employment, ~base_employment, des)
  add(case, "province", "all", "ratio", coef(r), SE(r), confint(r))
  m <- svymean(~fell, des)
  add(case, "province", "all", "fell_share", coef(m), SE(m), confint(m))
  for (by in c("city", "section", "size_class")) {
    byf <- as.formula(paste0("~", by))
    b <- svyby(~end_employment, byf, des, svyratio, denominator = ~base_employment)
    add(case, by, b[[by]], "ratio", coef(b), SE(b), confint(b))
    b <- svyby(~fell, byf, des, svymean)
    add(case, by, b[[by]], "fell_share", coef(b), SE(b), confint(b))
  }
}

weights_out <- list()
resp <- dat[dat$responded, ]
resp$weight <- cell_weights(dat)[dat$responded]
weights_out[[1]] <- data.frame(case = "cell", enterprise_id = resp$enterprise_id, weight = show(resp$weight))
des_cell <- svydesign(ids = ~1, strata = ~cell, weights = ~weight, fpc = ~fpc, data = resp)
for (lonely in c("adjust", "average", "remove")) {
  options(survey.lonely.psu = lonely)
  estimates(paste0("cell_", lonely), des_cell)
}
options(survey.lonely.psu = "adjust")
# crossed domains city x size_class (svyby with two factors: the combinations with respondents)
for (v in c("base_employment", "end_employment")) {
  b <- svyby(as.formula(paste0("~", v)), ~city + size_class, des_cell, svytotal)
  add("cell_adjust", "city+size_class", paste(b$city, b$size_class, sep = " / "), v, coef(b), SE(b), confint(b))
}
b <- svyby(~end_employment, ~city + size_class, des_cell, svyratio, denominator = ~base_employment)
add("cell_adjust", "city+size_class", paste(b$city, b$size_class, sep = " / "), "ratio", coef(b), SE(b),
    confint(b))
# employment climate index (monitoring/series.py): svymean of
# u = 100 x (1{end > base} + 0.5 x 1{end = base}) on the cell-adjusted design, by domain
clim <- update(des_cell, u = 100 * ((end_employment > base_employment) + 0.5 * (end_employment == base_employment)))
m <- svymean(~u, clim)
add("climate", "province", "all", "index", coef(m), SE(m), confint(m))
for (by in c("city", "section", "size_class")) {
  b <- svyby(~u, as.formula(paste0("~", by)), clim, svymean)
  add("climate", by, b[[by]], "index", coef(b), SE(b), confint(b))
}
# The sample's survey design (sampling.sample.survey_design): in each cell the kept panel is a
# take-all stratum "<cell>/panel" (fpc = the panel's size) and the drawn enterprises another,
# "<cell>/drawn" (fpc = N_cell - panel). The panel is E005 and E006 (广州市 C small, weight 1);
# for this case neither reported, so their stratum has no respondent and collapses first into
# its cell (the drawn E007-E010 carry its weight 2), then the two empty cells as above.
sd <- dat
sd$role <- ifelse(sd$enterprise_id %in% c("E005", "E006"), "panel", "new")
panel_n <- tapply(sd$role == "panel", sd$cell, sum)
sd$stratum <- paste0(sd$cell, ifelse(sd$role == "panel", "/panel", "/drawn"))
sd$fpc <- ifelse(sd$role == "panel", panel_n[sd$cell], sd$fpc - panel_n[sd$cell])
sd$responded[sd$role == "panel"] <- FALSE
sd$weight <- collapse_weights(sd, "stratum", c(list(c("city", "section", "size_class", "state_owned")),
                                                cell_levels))
sd_resp <- sd[sd$responded, ]
weights_out[[3]] <- data.frame(case = "stratum", enterprise_id = sd_resp$enterprise_id, weight = show(sd_resp$weight))
estimates("stratum_adjust", svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~fpc, data = sd_resp))

imputed <- dat
imputed$end_employment[!imputed$responded] <- imputed$base_employment[!imputed$responded]
weights_out[[4]] <- data.frame(case = "unchanged", enterprise_id = imputed$enterprise_id,
                               weight = show(imputed$weight))
estimates("unchanged_adjust",
          svydesign(ids = ~1, strata = ~cell, weights = ~weight, fpc = ~fpc, data = imputed))

write.csv(do.call(rbind, rows), file.path(here, "estimate_refs.csv"), row.names = FALSE, fileEncoding = "UTF-8")
write.csv(do.call(rbind, weights_out), file.path(here, "estimate_weights.csv"), row.names = FALSE,
          fileEncoding = "UTF-8")
