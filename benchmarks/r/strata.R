# Time sampling::strata for the W3 selection benchmark (called by benchmarks/run.py).
#
# Usage: Rscript strata.R <dir> <method> <repeat>
#   <dir>/cell.bin     int32 stratum code of every frame row (native byte order)
#   <dir>/mos.bin      float64 size measure (employees) of every row, for method "systematic"
#   <dir>/quota.bin    int32 sample size of stratum code 0, 1, 2, ...
#   <method>           "srswor" or "systematic" (PPS systematic within strata)
# Reading the files, dropping strata with quota 0 and building the data frame are outside the timing: system.time wraps the
# strata() call only. Prints one line per run: "elapsed=<s> rows=<selected> maxmem_mb=<gc max used>".
suppressPackageStartupMessages(library(sampling))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
method <- args[2]
runs <- as.integer(args[3])
n_rows <- file.size(file.path(dir, "cell.bin")) / 4
cell <- readBin(file.path(dir, "cell.bin"), "integer", n = n_rows, size = 4)
quota <- readBin(file.path(dir, "quota.bin"), "integer", n = file.size(file.path(dir, "quota.bin")) / 4, size = 4)
pik <- if (method == "systematic") readBin(file.path(dir, "mos.bin"), "double", n = n_rows, size = 8) else NULL
# strata() fails on a stratum of size 0 (cbind of an empty selection), so it gets only the rows
# of strata with a positive quota.
keep <- quota[cell + 1L] > 0
cell <- cell[keep]
if (!is.null(pik)) pik <- pik[keep]
data <- data.frame(cell = cell)
# strata() takes one size per stratum in the order the strata first appear in the data.
size <- quota[unique(cell) + 1L]
set.seed(1)
for (r in seq_len(runs)) {
  invisible(gc(reset = TRUE))
  timing <- system.time(
    s <- if (method == "systematic") {
      strata(data, "cell", size = size, method = "systematic", pik = pik)
    } else {
      strata(data, "cell", size = size, method = "srswor")
    }
  )
  mem <- gc()
  cat(sprintf("elapsed=%.4f rows=%d maxmem_mb=%.1f\n", timing[["elapsed"]], nrow(s), sum(mem[, ncol(mem)])))
}
