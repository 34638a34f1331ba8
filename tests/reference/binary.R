# Logit / probit references (Wooldridge Example 17.1 specification on mroz): classical, robust
# (n/(n-1) sandwich) and cluster (G/(G-1)) SEs; frequency and probability weights; average
# marginal effects with delta-method SEs.  Cross-checked against glm() and sandwich.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(sandwich))

d <- read_mroz()
f <- inlf ~ nwifeinc + educ + exper + expersq + age + kidslt6 + kidsge6
fm <- inlf ~ nwifeinc + educ + exper + age + kidslt6 + city   # for marginal effects (city is 0/1)

cdf <- list(logit = plogis, probit = pnorm)
pdf <- list(logit = dlogis, probit = dnorm)

binary_scores <- function(link, X, y) {
  function(b) {
    eta <- drop(X %*% b)
    if (link == "logit") return((y - plogis(eta)) * X)
    q <- 2 * y - 1
    lam <- q * dnorm(eta) / pnorm(q * eta)   # inverse Mills ratio
    lam * X
  }
}

fit_binary <- function(f, d, link, w = NULL) {
  X <- model.matrix(f, d); y <- model.response(model.frame(f, d))
  if (is.null(w)) w <- rep(1, nrow(X))
  g <- suppressWarnings(glm(f, data = cbind(d, .w = w), weights = .w, family = quasibinomial(link),
                              control = glm.control(epsilon = 1e-15, maxit = 200)))
  sc <- binary_scores(link, X, y)
  hess <- function(b) {   # analytic Hessian of sum w l
    eta <- drop(X %*% b)
    if (link == "logit") { p <- plogis(eta); d2 <- p * (1 - p) }
    else { q <- 2 * y - 1; lam <- q * dnorm(eta) / pnorm(q * eta); d2 <- lam * (lam + eta) }
    -crossprod(X * (w * d2), X)
  }
  r <- ml_refine(coef(g), sc, w, col_scale(X), hessian = hess)
  stopifnot(all.equal(unname(r$theta), unname(coef(g)), tolerance = 1e-7))
  loglik <- function(b) sum(w * (if (link == "logit") y * (X %*% b) - log1p(exp(X %*% b))
                                 else pnorm((2 * y - 1) * (X %*% b), log.p = TRUE)))
  ll <- loglik(r$theta)
  check_scores(loglik, sc, r$theta, w)
  stopifnot(all.equal(unname(r$H), unname(num_jacobian(function(t) colSums(w * sc(t)), r$theta, scale = col_scale(X))), tolerance = 1e-7))
  list(X = X, y = y, w = w, theta = r$theta, H = r$H, S = sc(r$theta), glm = g, ll = ll)
}

cases <- list()
for (link in c("logit", "probit")) {
  case <- paste0("mroz_", link)
  cases[[case]] <- describe("mroz", f, link, weights = "none; freq = fw; prob = pw", cluster = "age",
                           stata = sprintf("%s inlf nwifeinc educ exper expersq age kidslt6 kidsge6 [fw=fw | pw=pw], vce(oim | robust | cluster age)", link),
                           note = "Wooldridge Example 17.1; classical = inverse observed information (Stata's oim)")
  m <- fit_binary(f, d, link)
  terms <- clean_terms(colnames(m$X))
  # package cross-checks: classical = glm's vcov (binomial family), robust/cluster = sandwich
  gb <- glm(f, data = d, family = binomial(link), control = glm.control(epsilon = 1e-15, maxit = 200))
  n <- nrow(d)
  # glm's covariance uses the expected information; it equals the observed one (Stata's) for the
  # canonical logit link only, so the package cross-check is exact for logit and loose for probit
  tol <- if (link == "logit") 1e-8 else 1e-2
  stopifnot(all.equal(unname(vcov(gb)), unname(ml_vcov(m$H, m$S, m$w, "classical")), tolerance = tol))
  stopifnot(all.equal(unname(vcovHC(gb, type = "HC0")) * n / (n - 1), unname(ml_vcov(m$H, m$S, m$w, "robust")), tolerance = tol))
  # vcovCL(type = "HC0", cadjust = TRUE) applies G/(G-1) only: Stata's factor for ML models
  stopifnot(all.equal(unname(vcovCL(gb, cluster = ~age, type = "HC0", cadjust = TRUE)), unname(ml_vcov(m$H, m$S, m$w, "cluster", d$age)), tolerance = tol))
  stopifnot(all.equal(m$ll, as.numeric(logLik(gb)), tolerance = 1e-10))
  for (v in c("classical", "robust", "cluster")) emit_fit(case, link, v, "none", terms, m$theta, ml_vcov(m$H, m$S, m$w, v, d$age))
  emit(case, link, "classical", "none", "", "loglik", m$ll)
  emit(case, link, "classical", "none", "", "nobs", n)

  # frequency weights: the fit on the data with each row replicated w times is the definition
  # (Stata's [fweight]; nobs = sum w); glm(weights = fw) gives the same estimates and log-likelihood
  rd <- replicate_rows(d, d$fw)
  mr <- fit_binary(f, rd, link)
  mf <- fit_binary(f, d, link, d$fw)
  stopifnot(all.equal(unname(mr$theta), unname(mf$theta), tolerance = 1e-10), all.equal(mr$ll, mf$ll, tolerance = 1e-12))
  gf <- glm(f, data = d, weights = fw, family = binomial(link), control = glm.control(epsilon = 1e-15, maxit = 200))
  stopifnot(all.equal(unname(coef(gf)), unname(mr$theta), tolerance = 1e-8), all.equal(as.numeric(logLik(gf)), mr$ll, tolerance = 1e-10))
  for (v in c("classical", "robust", "cluster")) emit_fit(case, link, v, "freq", terms, mr$theta, ml_vcov(mr$H, mr$S, mr$w, v, rd$age))
  emit(case, link, "classical", "freq", "", "loglik", mr$ll)
  emit(case, link, "classical", "freq", "", "nobs", sum(d$fw))

  # probability weights: weighted pseudo-likelihood (glm quasibinomial, weights = pw: same
  # estimates, no warning), sandwich with n/(n-1), n = rows, as Stata's [pweight]
  mp <- fit_binary(f, d, link, d$pw)
  gp <- glm(f, data = d, weights = pw, family = quasibinomial(link), control = glm.control(epsilon = 1e-15, maxit = 200))
  stopifnot(all.equal(unname(coef(gp)), unname(mp$theta), tolerance = 1e-8))
  stopifnot(all.equal(unname(sandwich(gp)) * n / (n - 1), unname(ml_vcov(mp$H, mp$S, mp$w, "robust")), tolerance = tol))
  stopifnot(all.equal(unname(vcovCL(gp, cluster = ~age, type = "HC0", cadjust = TRUE)),
                      unname(ml_vcov(mp$H, mp$S, mp$w, "cluster", d$age)), tolerance = tol))
  for (v in c("robust", "cluster")) emit_fit(case, link, v, "prob", terms, mp$theta, ml_vcov(mp$H, mp$S, mp$w, v, d$age))
  emit(case, link, "robust", "prob", "", "loglik", mp$ll)
  emit(case, link, "robust", "prob", "", "nobs", n)

  # average marginal effects: derivatives for continuous regressors, 0 -> 1 change for city
  casem <- paste0("mroz_", link, "_margins")
  cases[[casem]] <- describe("mroz", fm, link, cluster = "age", vcov = "classical, cluster",
                            stata = sprintf("%s inlf nwifeinc educ exper age kidslt6 i.city, vce(oim | cluster age); margins, dydx(*)", link),
                            note = "AME: mean of f(x'b) b_j for continuous regressors, mean of F(x1'b) - F(x0'b) for city (0 -> 1); delta-method SE with a central-difference Jacobian, step 1e-6 / max(1, max|x_j|)")
  mm <- fit_binary(fm, d, link)
  tm <- clean_terms(colnames(mm$X))
  F <- cdf[[link]]; fd <- pdf[[link]]
  ame <- function(b) {
    X <- mm$X
    eta <- drop(X %*% b)
    cont <- setdiff(tm, c("Intercept", "city"))
    out <- sapply(cont, function(v) mean(fd(eta) * b[which(tm == v)]))
    X1 <- X; X1[, "city"] <- 1; X0 <- X; X0[, "city"] <- 0
    c(out, city = mean(F(drop(X1 %*% b)) - F(drop(X0 %*% b))))
  }
  for (v in c("classical", "cluster")) {
    V <- ml_vcov(mm$H, mm$S, mm$w, v, d$age)
    est <- ame(mm$theta)
    emit(casem, link, v, "none", names(est), "ame", est)
    emit(casem, link, v, "none", names(est), "ame_se", delta_se(ame, mm$theta, V, col_scale(mm$X)))
  }
  emit_fit(casem, link, "classical", "none", tm, mm$theta, ml_vcov(mm$H, mm$S, mm$w, "classical"))
}

write_outputs("binary", cases, c("stats", "sandwich", "numDeriv"))
