# Shared helpers of the reference scripts: data, output at 17 significant digits, and the
# sandwich algebra written out (Stata's conventions), so every number is traceable.
#
# Conventions (what "equal to Stata" means):
#   classical  ML: (-H)^-1 ;  OLS: s^2 (X'WX)^-1, s^2 = sum w e^2 / (N - K)
#   robust     ML: n/(n-1) * B M B (Stata vce(robust));  OLS: HC1, N/(N-K)
#   cluster    ML: G/(G-1) * B M B (Stata vce(cluster));  OLS: G/(G-1) (N-1)/(N-K)
#   frequency weights: computed on the data with each row replicated w times (the definition)
#   probability weights: weighted (pseudo-)likelihood, meat built from w_i * s_i, n = rows
# Each script cross-checks these against the packages (glm/vcov, sandwich, polr, multinom, car).

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
REF_DIR <- normalizePath(dirname(script))

read_data <- function(name) read.csv(file.path(REF_DIR, "data", paste0(name, ".csv")))
read_mroz <- function() read_data("mroz")

replicate_rows <- function(d, w) d[rep(seq_len(nrow(d)), times = w), , drop = FALSE]

.rows <- new.env()
.rows$df <- NULL
emit <- function(case, model, vcov, weights, term, quantity, value) {
  stopifnot(all(is.finite(value)))
  .rows$df <- rbind(.rows$df, data.frame(case = case, model = model, vcov = vcov, weights = weights,
                                         term = term, quantity = quantity,
                                         value = sprintf("%.17g", value), stringsAsFactors = FALSE))
}

emit_fit <- function(case, model, vcov, weights, terms, est, V) {
  emit(case, model, vcov, weights, terms, "estimate", est)
  emit(case, model, vcov, weights, terms, "std_error", sqrt(diag(V)))
}

# the description of a case in the JSON sidecar: the data file, the formula (R syntax, as fitted),
# the weights and cluster columns, the base outcome, the vcov types and the Stata command
describe <- function(data, formula, model, weights = "none", cluster = "none", vcov = "classical, robust, cluster",
                     stata = "", note = "") {
  f <- if (inherits(formula, "formula")) paste(deparse(formula, width.cutoff = 500L), collapse = " ") else formula
  list(data = paste0("data/", data, ".csv"), formula = f, model = model, weights = weights,
       cluster = cluster, vcov = vcov, stata = stata, note = note)
}

write_outputs <- function(topic, cases, packages) {
  dir.create(file.path(REF_DIR, "out"), showWarnings = FALSE)
  write.csv(.rows$df, file.path(REF_DIR, "out", paste0(topic, ".csv")), row.names = FALSE, quote = TRUE)
  vers <- vapply(packages, function(p) as.character(packageVersion(p)), "")
  q <- function(s) paste0('"', gsub('"', '\\\\"', s), '"')
  pk <- paste(sprintf("    %s: %s", q(packages), q(vers)), collapse = ",\n")
  one <- function(x) {
    if (!is.list(x)) return(q(x))
    x <- x[nzchar(unlist(x))]
    paste0("{\n", paste(sprintf("      %s: %s", q(names(x)), q(unlist(x))), collapse = ",\n"), "\n    }")
  }
  cs <- paste(sprintf("    %s: %s", q(names(cases)), vapply(cases, one, "")), collapse = ",\n")
  json <- paste0("{\n  \"topic\": ", q(topic), ",\n  \"r_version\": ", q(R.version.string),
                 ",\n  \"packages\": {\n", pk, "\n  },\n  \"cases\": {\n", cs, "\n  }\n}\n")
  writeLines(json, file.path(REF_DIR, "out", paste0(topic, ".json")))
}

clean_terms <- function(x) sub("^\\(Intercept\\)$", "Intercept", x)

# ---- maximum likelihood: Newton refinement with the analytic score and a numerical Hessian

# steps: rel / scale_j, where scale_j is the largest |x| of the parameter's design column (1 for
# cutpoints), so that every step moves the linear predictor by about `rel`
num_jacobian <- function(f, theta, rel = 1e-5, scale = rep(1, length(theta))) {
  g0 <- f(theta)
  J <- matrix(0, length(g0), length(theta))
  for (j in seq_along(theta)) {
    h <- rel / scale[j]
    tp <- theta; tm <- theta
    tp[j] <- tp[j] + h; tm[j] <- tm[j] - h
    J[, j] <- (f(tp) - f(tm)) / (2 * h)
  }
  J
}

# scores(theta) -> n x p matrix of per-observation scores of the unweighted log-likelihood terms
ml_refine <- function(theta, scores, w, scale, hessian = NULL, maxit = 50) {
  grad <- function(t) colSums(w * scores(t))
  hess <- if (is.null(hessian)) function(t) num_jacobian(grad, t, scale = scale) else hessian
  for (it in seq_len(maxit)) {
    H <- hess(theta)
    H <- (H + t(H)) / 2
    step <- solve(H, grad(theta))
    theta <- theta - step
    if (max(abs(step)) < 1e-13 * max(1, max(abs(theta)))) break
  }
  H <- hess(theta)
  list(theta = theta, H = (H + t(H)) / 2, grad = grad(theta))
}

ml_vcov <- function(H, S, w, type, cluster = NULL) {
  B <- solve(-H)
  if (type == "classical") return(B)
  G <- w * S
  n <- nrow(S)
  if (type == "robust") return(n / (n - 1) * B %*% crossprod(G) %*% B)
  Sg <- rowsum(G, cluster)
  ng <- nrow(Sg)
  ng / (ng - 1) * B %*% crossprod(Sg) %*% B
}

# the analytic scores against numDeriv's Richardson-extrapolated gradient of the log-likelihood,
# at the estimate and at a perturbed point (where the gradient is not zero); the error is measured
# against the size of the summands, sum_i |w_i s_ij|
check_scores <- function(loglik, scores, theta, w, tol = 1e-6) {
  for (t in list(theta, theta * 1.01 + 0.001)) {
    num <- numDeriv::grad(loglik, t)
    S <- w * scores(t)
    stopifnot(all(abs(num - colSums(S)) <= tol * colSums(abs(S))))
  }
  invisible(TRUE)
}

# the analytic Hessian against a central-difference Jacobian of the analytic score
check_hessian <- function(H, scores, theta, w, scale, tol = 1e-7) {
  Hn <- num_jacobian(function(t) colSums(w * scores(t)), theta, scale = scale)
  stopifnot(all.equal(unname(H), unname(Hn), tolerance = tol))
  invisible(TRUE)
}

# delta-method SEs of a vector function of the parameters (central-difference Jacobian)
# (step 1e-6 / scale_j), checked against numDeriv's Richardson-extrapolated Jacobian
delta_se <- function(f, theta, V, scale) {
  J <- num_jacobian(f, theta, rel = 1e-6, scale = scale)
  stopifnot(all(abs(J - numDeriv::jacobian(f, theta)) <= 1e-7 * max(abs(J))))
  sqrt(diag(J %*% V %*% t(J)))
}

col_scale <- function(X) pmax(1, apply(abs(X), 2, max))
