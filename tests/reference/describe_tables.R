# Descriptive-table references (flexemp.describe): frequencies, weighted percents, means and SDs,
# chi-square tests (chisq.test; survey::svychisq Rao-Scott F and Chisq), t tests (t.test Welch and
# pooled; survey::svyttest), band-midpoint means and multi-select percentages.
#
# Data: data/describe_tables.csv, the first 600 rows of the embedded dataset internet_flex_finance
# with weights w and 25 missing education values (tests/reference/export_describe_tables.py).
# Design for every weighted number: svydesign(ids = ~1, weights = ~w, data = <rows used>); the tests
# and the weighted crosstab use the rows complete on the variables involved.
#
# Output: out/describe_tables.csv with model = frequencies | summary | chisq | ttest | midpoint |
# multiselect, vcov = none, weights = none | prob; term = the level ("<code>" or "<var>:<code>");
# quantity as named below.

source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(survey))

d <- read_data("describe_tables")
des <- svydesign(ids = ~1, weights = ~w, data = d)
cases <- list()

# ---- frequencies: unweighted counts, weighted totals, valid (weighted) percents
for (v in c("education", "income", "income_stability")) {
  case <- paste0("freq_", v)
  x <- d[[v]]
  t <- table(x)
  emit(case, "frequencies", "none", "none", names(t), "count", as.vector(t))
  emit(case, "frequencies", "none", "none", "", "n_missing", sum(is.na(x)))
  emit(case, "frequencies", "none", "none", names(t), "valid_percent", 100 * as.vector(prop.table(t)))
  st <- svytable(as.formula(paste0("~", v)), des)
  emit(case, "frequencies", "none", "prob", names(st), "weighted_count", as.vector(st))
  m <- svymean(as.formula(paste0("~factor(", v, ")")), des, na.rm = TRUE)
  emit(case, "frequencies", "none", "prob", sub(paste0("factor\\(", v, "\\)"), "", names(coef(m))),
       "valid_percent", 100 * as.vector(coef(m)))
  cases[[case]] <- list(data = "data/describe_tables.csv", model = "frequencies", variable = v,
                        r = "table(x); svytable(~x, des); svymean(~factor(x), des, na.rm=TRUE)")
}

# ---- summary: mean, SD (unweighted: mean/sd; weighted: svymean, sqrt(svyvar))
for (v in c("sex", "education", "income", "income_stability")) {
  case <- paste0("summary_", v)
  x <- d[[v]]
  emit(case, "summary", "none", "none", "", "n", sum(!is.na(x)))
  emit(case, "summary", "none", "none", "", "mean", mean(x, na.rm = TRUE))
  emit(case, "summary", "none", "none", "", "sd", sd(x, na.rm = TRUE))
  f <- as.formula(paste0("~", v))
  # the design is built on the rows where x is observed (as Stata's summarize [aweight=w] does);
  # svyvar(..., na.rm = TRUE) on the full design would use n = all rows (a domain estimate)
  dx <- svydesign(ids = ~1, weights = ~w, data = d[!is.na(x), ])
  emit(case, "summary", "none", "prob", "", "mean", coef(svymean(f, dx)))
  emit(case, "summary", "none", "prob", "", "sd", sqrt(as.vector(coef(svyvar(f, dx)))))
  cases[[case]] <- list(data = "data/describe_tables.csv", model = "summary", variable = v,
                        r = "mean, sd; svymean(~x, dx), sqrt(svyvar(~x, dx)), dx = svydesign(ids=~1, weights=~w) on rows with x observed")
}

# ---- chi-square tests of x by flexible
for (v in c("education", "income", "sex")) {
  case <- paste0("chisq_", v)
  dc <- d[!is.na(d[[v]]), ]
  ct <- chisq.test(table(dc[[v]], dc$flexible), correct = FALSE)
  k <- min(dim(ct$observed))
  emit(case, "chisq", "none", "none", "", "statistic", unname(ct$statistic))
  emit(case, "chisq", "none", "none", "", "df", unname(ct$parameter))
  emit(case, "chisq", "none", "none", "", "p_value", ct$p.value)
  emit(case, "chisq", "none", "none", "", "cramers_v", sqrt(unname(ct$statistic) / (nrow(dc) * (k - 1))))
  dd <- svydesign(ids = ~1, weights = ~w, data = dc)
  f <- as.formula(paste0("~", v, " + flexible"))
  sf <- svychisq(f, dd, statistic = "F")
  emit(case, "chisq", "none", "prob", "", "statistic", unname(sf$statistic))
  emit(case, "chisq", "none", "prob", "", "ndf", unname(sf$parameter["ndf"]))
  emit(case, "chisq", "none", "prob", "", "ddf", unname(sf$parameter["ddf"]))
  emit(case, "chisq", "none", "prob", "", "p_value", sf$p.value)
  sc <- svychisq(f, dd, statistic = "Chisq")
  # svychisq prints the uncorrected X-squared; its p value uses X2 / mean(diag(Delta)) on df
  emit(case, "chisq_Chisq", "none", "prob", "", "pearson", unname(sc$statistic))
  emit(case, "chisq_Chisq", "none", "prob", "", "df", unname(sc$parameter))
  emit(case, "chisq_Chisq", "none", "prob", "", "p_value", sc$p.value)
  cases[[case]] <- list(data = "data/describe_tables.csv", model = "chisq", variable = paste(v, "x flexible"),
                        r = "chisq.test(table(x, flexible), correct=FALSE); svychisq(~x+flexible, des, statistic='F' | 'Chisq') on complete rows")
}

# ---- t tests of y by flexible (groups 0, 1)
for (v in c("income_stability", "education", "income")) {
  case <- paste0("ttest_", v)
  dc <- d[!is.na(d[[v]]), ]
  f <- as.formula(paste0(v, " ~ flexible"))
  for (eq in c(FALSE, TRUE)) {
    tt <- t.test(f, data = dc, var.equal = eq)
    model <- if (eq) "ttest_pooled" else "ttest_welch"
    # t.test reports mean(group 0) - mean(group 1); flexemp and svyttest report group 1 - group 0
    emit(case, model, "none", "none", "", "statistic", -unname(tt$statistic))
    emit(case, model, "none", "none", "", "df", unname(tt$parameter))
    emit(case, model, "none", "none", "", "p_value", tt$p.value)
  }
  st <- svyttest(f, svydesign(ids = ~1, weights = ~w, data = dc))
  emit(case, "svyttest", "none", "prob", "", "statistic", unname(st$statistic))
  emit(case, "svyttest", "none", "prob", "", "df", unname(st$parameter))
  emit(case, "svyttest", "none", "prob", "", "p_value", st$p.value)
  cases[[case]] <- list(data = "data/describe_tables.csv", model = "ttest", variable = paste(v, "by flexible"),
                        r = "t.test(y ~ flexible, var.equal=FALSE|TRUE) (sign flipped: group 1 - group 0); svyttest(y ~ flexible, des)")
}

# ---- band-midpoint means of income (codebook midpoints 1500, 4000, 6500, 9000, 15000, 25000)
mids <- c(1500, 4000, 6500, 9000, 15000, 25000)
d$income_mid <- mids[d$income]
des <- svydesign(ids = ~1, weights = ~w, data = d)
emit("midpoint_income", "midpoint", "none", "none", "all", "mean", mean(d$income_mid))
emit("midpoint_income", "midpoint", "none", "prob", "all", "mean", coef(svymean(~income_mid, des)))
by_u <- tapply(d$income_mid, d$flexible, mean)
emit("midpoint_income", "midpoint", "none", "none", paste0("flexible:", names(by_u)), "mean", as.vector(by_u))
by_w <- svyby(~income_mid, ~flexible, des, svymean)
emit("midpoint_income", "midpoint", "none", "prob", paste0("flexible:", by_w$flexible), "mean", coef(by_w))
cases$midpoint_income <- list(data = "data/describe_tables.csv", model = "midpoint",
                              variable = "income (bands 1-6 -> 1500, 4000, 6500, 9000, 15000, 25000)",
                              r = "mean(mid); svymean(~mid, des); svyby(~mid, ~flexible, des, svymean)")

# ---- multi-select hop_reasons: base = rows with any option answered
opts <- paste0("hop_reasons_", 1:5)
ans <- rowSums(!is.na(d[, opts])) > 0
da <- d[ans, ]
da[, opts][is.na(da[, opts])] <- 0
dsa <- svydesign(ids = ~1, weights = ~w, data = da)
emit("multiselect_hop_reasons", "multiselect", "none", "none", "all", "base_n", nrow(da))
for (o in opts) {
  emit("multiselect_hop_reasons", "multiselect", "none", "none", paste0("all:", o), "percent", 100 * mean(da[[o]]))
  emit("multiselect_hop_reasons", "multiselect", "none", "prob", paste0("all:", o), "percent",
       100 * coef(svymean(as.formula(paste0("~", o)), dsa)))
  byw <- svyby(as.formula(paste0("~", o)), ~flexible, dsa, svymean)
  emit("multiselect_hop_reasons", "multiselect", "none", "prob", paste0("flexible:", byw$flexible, ":", o),
       "percent", 100 * coef(byw))
}
emit("multiselect_hop_reasons", "multiselect", "none", "none", paste0("flexible:", names(table(da$flexible))),
     "base_n", as.vector(table(da$flexible)))
cases$multiselect_hop_reasons <- list(data = "data/describe_tables.csv", model = "multiselect",
                                      variable = "hop_reasons_1..5",
                                      r = "rows with any option observed; NA -> 0; mean / svymean, svyby(~o, ~flexible)")

write_outputs("describe_tables", cases, c("survey"))
