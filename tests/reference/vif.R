# VIF references: car::vif on an lm with a constant (1 / (1 - R^2_j)); for a design without a
# constant, the uncentred VIF from its definition, [(X'X)^-1]_jj * x_j'x_j (Stata: estat vif, uncentered).
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(car))

d <- read_mroz()
f <- hours ~ nwifeinc + educ + exper + expersq + age + kidslt6 + kidsge6
v <- car::vif(lm(f, d))
# the definition, as a cross-check of car
X <- model.matrix(f, d)[, -1]
r2 <- sapply(seq_len(ncol(X)), function(j) summary(lm(X[, j] ~ X[, -j]))$r.squared)
stopifnot(all.equal(unname(v), 1 / (1 - r2), tolerance = 1e-10))
emit("mroz_vif", "ols", "classical", "none", names(v), "vif", v)
emit("mroz_vif", "ols", "classical", "none", "", "vif_max", max(v))
emit("mroz_vif", "ols", "classical", "none", "", "vif_mean", mean(v))

f0 <- hours ~ nwifeinc + educ + exper + age + kidslt6 - 1
X0 <- model.matrix(f0, d)
u <- diag(solve(crossprod(X0))) * colSums(X0^2)
names(u) <- colnames(X0)
emit("mroz_vif_uncentered", "ols", "classical", "none", names(u), "vif", u)
emit("mroz_vif_uncentered", "ols", "classical", "none", "", "vif_max", max(u))
emit("mroz_vif_uncentered", "ols", "classical", "none", "", "vif_mean", mean(u))

write_outputs("vif", list(mroz_vif = deparse(f), mroz_vif_uncentered = deparse(f0)), c("car"))
