# VIF references.
#   centred (models with a constant): car::vif on the lm, the usual 1 / (1 - R^2_j) with R^2_j from
#     regressing x_j on the other regressors and a constant (checked against that definition);
#     Stata: estat vif.
#   uncentred: VIF_j = 1 / (1 - R^2u_j), R^2u_j the uncentred R^2 of x_j on the other columns of X
#     (no constant added), which equals x_j'x_j * [(X'X)^-1]_jj, i.e. the diagonal of the inverse of
#     the "correlation-like" matrix D^-1/2 X'X D^-1/2, D = diag(X'X), built without centring;
#     computed here from that definition (both forms, checked against each other).  Stata:
#     estat vif, uncentered.  Cases: a design without a constant, and (mroz_vif_uncentered_const)
#     a design with a constant, where the Intercept column gets a VIF too.
# Statistics: vif per term, vif_max and vif_mean over the terms listed.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(car))

centred_case <- function(case, d, f) {
  v <- car::vif(lm(f, d))
  X <- model.matrix(f, d)[, -1]
  r2 <- sapply(seq_len(ncol(X)), function(j) summary(lm(X[, j] ~ X[, -j]))$r.squared)
  stopifnot(all.equal(unname(v), 1 / (1 - r2), tolerance = 1e-10))
  emit(case, "ols", "classical", "none", names(v), "vif", v)
  emit(case, "ols", "classical", "none", "", "vif_max", max(v))
  emit(case, "ols", "classical", "none", "", "vif_mean", mean(v))
}

uncentred_case <- function(case, d, f) {
  X <- model.matrix(f, d)
  u <- diag(solve(crossprod(X))) * colSums(X^2)
  D <- 1 / sqrt(colSums(X^2))
  stopifnot(all.equal(unname(u), unname(diag(solve(D * t(D * crossprod(X))))), tolerance = 1e-10))
  r2u <- sapply(seq_len(ncol(X)), function(j) { e <- lm.fit(X[, -j, drop = FALSE], X[, j])$residuals; 1 - sum(e^2) / sum(X[, j]^2) })
  stopifnot(all.equal(unname(u), 1 / (1 - r2u), tolerance = 1e-8))
  names(u) <- clean_terms(colnames(X))
  emit(case, "ols", "classical", "none", names(u), "vif", u)
  emit(case, "ols", "classical", "none", "", "vif_max", max(u))
  emit(case, "ols", "classical", "none", "", "vif_mean", mean(u))
}

d <- read_mroz()
w1 <- read_data("wage1")
f <- hours ~ nwifeinc + educ + exper + expersq + age + kidslt6 + kidsge6
f0 <- hours ~ nwifeinc + educ + exper + age + kidslt6 - 1
fc <- hours ~ nwifeinc + educ + exper + age + kidslt6
fw <- lwage ~ educ + exper + expersq + tenure + female + married + nonwhite
centred_case("mroz_vif", d, f)
uncentred_case("mroz_vif_uncentered", d, f0)
uncentred_case("mroz_vif_uncentered_const", d, fc)
centred_case("wage1_vif", w1, fw)

write_outputs("vif", list(
  mroz_vif = describe("mroz", f, "ols", vcov = "classical", stata = "regress hours nwifeinc educ exper expersq age kidslt6 kidsge6; estat vif",
                      note = "car::vif, 1 / (1 - R^2_j)"),
  mroz_vif_uncentered = describe("mroz", f0, "ols", vcov = "classical", stata = "regress hours nwifeinc educ exper age kidslt6, noconstant; estat vif, uncentered",
                                 note = "uncentred VIF from the definition: x_j'x_j [(X'X)^-1]_jj"),
  mroz_vif_uncentered_const = describe("mroz", fc, "ols", vcov = "classical", stata = "regress hours nwifeinc educ exper age kidslt6; estat vif, uncentered",
                                       note = "uncentred VIF from the definition, the constant included as a column (term Intercept); not checked against Stata"),
  wage1_vif = describe("wage1", fw, "ols", vcov = "classical", stata = "regress lwage educ exper expersq tenure female married nonwhite; estat vif",
                       note = "car::vif, 1 / (1 - R^2_j)")),
  c("car"))
