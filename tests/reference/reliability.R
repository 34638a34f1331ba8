# Reliability and validity references: psych::alpha (raw and standardized alpha, the Feldt 95%
# interval from psych::alpha.ci as psych::alpha reports it in $feldt, alpha if item deleted, item
# statistics r / std.r / r.cor / r.drop / mean / sd), psych::KMO (overall MSA and per item) and
# psych::cortest.bartlett, on complete cases (data/scales.csv has no missing values, so psych's
# pairwise default and flexemp's listwise deletion coincide).
# Reverse keying: psych flips keyed items as (min + max) - x with min/max over all items (1 and 6
# for bfi), the same as the codebook rule (min code + max code) - x for 1-6 Likert codes.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(psych))

d <- read.csv(file.path(REF_DIR, "data", "scales.csv"))
stopifnot(!anyNA(d))

emit_scale <- function(case, items, keys) {
  x <- d[, items]
  a <- psych::alpha(x, keys = keys, warnings = FALSE)
  tot <- a$total
  emit(case, "alpha", "none", "none", "", "alpha_raw", tot$raw_alpha)
  emit(case, "alpha", "none", "none", "", "alpha_std", tot$std.alpha)
  emit(case, "alpha", "none", "none", "", "average_r", tot$average_r)
  emit(case, "alpha", "none", "none", "", "alpha_ci_low", unlist(a$feldt$lower.ci))
  emit(case, "alpha", "none", "none", "", "alpha_ci_high", unlist(a$feldt$upper.ci))
  emit(case, "alpha", "none", "none", "", "nobs", nrow(x))
  # Feldt's interval written out, as a cross-check of psych::alpha.ci
  n <- nrow(x); k <- length(items)
  lo <- 1 - (1 - tot$raw_alpha) * qf(0.975, n - 1, (n - 1) * (k - 1))
  stopifnot(isTRUE(all.equal(lo, unname(unlist(a$feldt$lower.ci)), tolerance = 1e-12)))
  s <- a$item.stats
  dr <- a$alpha.drop
  emit(case, "alpha", "none", "none", items, "alpha_if_deleted", dr$raw_alpha)
  emit(case, "alpha", "none", "none", items, "alpha_std_if_deleted", dr$std.alpha)
  emit(case, "alpha", "none", "none", items, "r", s$raw.r)
  emit(case, "alpha", "none", "none", items, "std_r", s$std.r)
  emit(case, "alpha", "none", "none", items, "r_cor", s$r.cor)
  emit(case, "alpha", "none", "none", items, "r_drop", s$r.drop)
  emit(case, "alpha", "none", "none", items, "mean", s$mean)
  emit(case, "alpha", "none", "none", items, "sd", s$sd)
  km <- suppressMessages(psych::KMO(x))
  emit(case, "kmo", "none", "none", "", "kmo", km$MSA)
  emit(case, "kmo", "none", "none", items, "kmo_item", km$MSAi)
  b <- suppressMessages(psych::cortest.bartlett(x))
  emit(case, "bartlett", "none", "none", "", "bartlett_chi2", b$chisq)
  emit(case, "bartlett", "none", "none", "", "bartlett_df", b$df)
  emit(case, "bartlett", "none", "none", "", "bartlett_p", b$p.value)
}

cases <- list(
  bfi_agree = "A1-A5, A1 reverse-keyed: psych::alpha(x, keys = 'A1'); KMO; cortest.bartlett",
  bfi_consc = "C1-C5, C4 and C5 reverse-keyed: psych::alpha(x, keys = c('C4', 'C5')); KMO; cortest.bartlett",
  bfi_agree_unkeyed = "A2-A5, no reverse keying: psych::alpha(x); KMO; cortest.bartlett"
)
emit_scale("bfi_agree", paste0("A", 1:5), "A1")
emit_scale("bfi_consc", paste0("C", 1:5), c("C4", "C5"))
emit_scale("bfi_agree_unkeyed", paste0("A", 2:5), NULL)

write_outputs("reliability", cases, c("psych"))
