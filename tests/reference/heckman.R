# Heckman two-step (Heckman 1979; Greene 2012, eq. 19-24/19-25) and the probit control-function
# ("self-selection") correction, written out from the formulas because sampleSelection is not
# available here.  The probit is fitted by glm and refined by Newton steps with the analytic
# Hessian; the two-step point estimates are cross-checked against glm probit + lm(y ~ x + imr).
# Stata equivalents: heckman y x, select(s = z x) twostep;  probit d z x; predict; oprobit y d x imr.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(sandwich))

d <- read_mroz()

# probit by Newton with the analytic score and Hessian, started at glm's estimate
probit_fit <- function(f, d) {
  X <- model.matrix(f, d); y <- model.response(model.frame(f, d))
  b <- coef(glm(f, family = binomial("probit"), data = d, control = list(epsilon = 1e-14, maxit = 100)))
  q <- 2 * y - 1
  parts <- function(b) {
    xb <- drop(X %*% b)
    g <- q * exp(dnorm(q * xb, log = TRUE) - pnorm(q * xb, log.p = TRUE))
    list(xb = xb, g = g, H = -crossprod(X * (g * (g + xb)), X))
  }
  for (it in 1:20) {
    p <- parts(b)
    step <- solve(p$H, colSums(X * p$g))
    b <- b - step
    if (max(abs(step)) < 1e-14 * max(1, max(abs(b)))) break
  }
  p <- parts(b)
  stopifnot(max(abs(colSums(X * p$g))) < 1e-9)
  list(b = b, V = solve(-p$H), X = X, y = y, xb = p$xb)
}

mills <- function(xb) exp(dnorm(xb, log = TRUE) - pnorm(xb, log.p = TRUE))

heckman_2s <- function(fo, fs, d) {
  sel <- probit_fit(fs, d)
  s <- sel$y == 1
  ds <- d[s, , drop = FALSE]
  X <- model.matrix(fo, ds); y <- model.response(model.frame(fo, ds))
  Z <- sel$X[s, , drop = FALSE]
  zg <- sel$xb[s]
  lam <- mills(zg)
  delta <- lam * (lam + zg)
  Xs <- cbind(X, lambda = lam)
  A <- solve(crossprod(Xs))
  b <- drop(A %*% crossprod(Xs, y))
  e <- drop(y - Xs %*% b)
  n1 <- sum(s)
  bl <- b[["lambda"]]
  sigma2 <- sum(e^2) / n1 + bl^2 * mean(delta)
  rho <- bl / sqrt(sigma2)
  stopifnot(abs(rho) <= 1)  # no truncation in these cases (Stata truncates, heckit does not)
  Fm <- crossprod(Xs * delta, Z)
  Q <- rho^2 * Fm %*% sel$V %*% t(Fm)
  V <- sigma2 * A %*% (crossprod(Xs * (1 - rho^2 * delta), Xs) + Q) %*% A
  # cross-check of the point estimates: glm probit, imr, lm on the selected rows
  g <- glm(fs, family = binomial("probit"), data = d, control = list(epsilon = 1e-14, maxit = 100))
  ds$imr_chk <- mills(predict(g, type = "link"))[s]
  l <- lm(update(fo, . ~ . + imr_chk), data = ds)
  stopifnot(all.equal(unname(coef(l)), unname(b), tolerance = 1e-7))  # glm stops at a deviance tolerance
  list(sel = sel, b = b, V = V, rho = rho, sigma = sqrt(sigma2), n = length(s), n1 = n1)
}

cases <- list()
heck_cases <- list(
  mroz_heckman = list(lwage ~ educ + exper + expersq,
                      inlf ~ educ + exper + expersq + nwifeinc + age + kidslt6 + kidsge6,
                      "Wooldridge (2020) Example 17.5"),
  mroz_heckman_city = list(lwage ~ educ + exper + expersq + city,
                           inlf ~ educ + exper + expersq + city + nwifeinc + age + kidslt6,
                           "a second specification")
)
for (case in names(heck_cases)) {
  fo <- heck_cases[[case]][[1]]; fs <- heck_cases[[case]][[2]]
  h <- heckman_2s(fo, fs, d)
  cases[[case]] <- describe("mroz", paste(deparse(fo), "|", deparse(fs, width.cutoff = 500L)), "heckman2s",
                            vcov = "classical",
                            stata = "heckman <outcome>, select(<selection>) twostep",
                            note = paste(heck_cases[[case]][[3]], "- outcome | selection; corrected two-step covariance (Greene eq. 19-25)"))
  emit_fit(case, "heckman2s", "classical", "none", clean_terms(names(h$b)), h$b, h$V)
  emit_fit(case, "probit", "classical", "none", clean_terms(colnames(h$sel$X)), h$sel$b, h$sel$V)
  emit(case, "heckman2s", "classical", "none", "", "rho", h$rho)
  emit(case, "heckman2s", "classical", "none", "", "sigma", h$sigma)
  emit(case, "heckman2s", "classical", "none", "", "nobs", h$n)
  emit(case, "heckman2s", "classical", "none", "", "nobs_selected", h$n1)
}

# control function: probit of city, generalized residual imr, second stage ols (classical, HC1)
# and probit (classical); the second-stage covariance treats imr as data (as the applied papers do)
ft <- city ~ nwifeinc + educ + age + kidslt6 + kidsge6
tr <- probit_fit(ft, d)
d$imr <- ifelse(tr$y == 1, mills(tr$xb), -mills(-tr$xb))
case <- "mroz_control"
cases[[case]] <- describe("mroz", "city ~ nwifeinc + educ + age + kidslt6 + kidsge6 | hours ~ city + educ + exper + expersq + imr | inlf ~ city + educ + exper + age + kidslt6 + imr",
                          "selection_correction", vcov = "classical, robust",
                          stata = "probit city ...; predict xb, xb; gen imr = cond(city, normalden(xb)/normal(xb), -normalden(xb)/normal(-xb)); regress hours city ... imr [, vce(robust)]; probit inlf city ... imr",
                          note = "treatment probit | ols second stage | probit second stage")
emit_fit(case, "probit_first", "classical", "none", clean_terms(colnames(tr$X)), tr$b, tr$V)
fl <- lm(hours ~ city + educ + exper + expersq + imr, data = d)
emit_fit(case, "ols", "classical", "none", clean_terms(names(coef(fl))), coef(fl), vcov(fl))
emit_fit(case, "ols", "robust", "none", clean_terms(names(coef(fl))), coef(fl), vcovHC(fl, type = "HC1"))
pp <- probit_fit(inlf ~ city + educ + exper + age + kidslt6 + imr, d)
emit_fit(case, "probit", "classical", "none", clean_terms(colnames(pp$X)), pp$b, pp$V)

write_outputs("heckman", cases, c("stats", "sandwich"))
