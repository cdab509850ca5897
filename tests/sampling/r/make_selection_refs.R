# Reference values for tests/sampling/test_inclusion.py and test_select.py.
# Run: Rscript tests/sampling/r/make_selection_refs.R   (R 4.x, CRAN package sampling 2.x)
# The printed numbers are pasted into the tests.
library(sampling)
show <- function(name, x) cat(name, "= [", paste(sprintf("%.17g", x), collapse = ", "), "]\n")

cat("# sampling version", as.character(packageVersion("sampling")), "\n")

# inclusionprobabilities: one certainty unit
show("A1", inclusionprobabilities(c(1, 2, 3, 4, 40), 2))
# several rounds of certainty units (640, then 320, then 160 reach 1 in turn)
show("A2", inclusionprobabilities(c(5, 10, 20, 40, 80, 160, 320, 640), 4))
# zero sizes get probability 0
show("A3", suppressWarnings(inclusionprobabilities(c(0, 3, 7, 0, 12, 1, 50, 9, 2, 30), 5)))
# employee counts, one certainty unit (1200: 6 * 1200 / 6617 = 1.09 >= 1; the rest share 5)
emp <- c(52, 75, 88, 120, 133, 150, 175, 210, 240, 260, 280, 299, 310, 350, 420, 500, 760, 900, 1200, 95)
show("A4", inclusionprobabilities(emp, 6))
# employee counts, n large enough for certainty units
show("A5", inclusionprobabilities(emp, 15))

# UPsystematic: joint inclusion probabilities of systematic sampling in the given order;
# the diagonal is the first-order pi.
pik <- inclusionprobabilities(c(3, 7, 12, 1, 9, 2, 8, 5, 6, 4), 4)
show("S_PIK", pik)
show("S_PI2", as.vector(t(UPsystematicpi2(pik))))  # row by row
