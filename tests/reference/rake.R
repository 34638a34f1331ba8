# Raking and post-stratification references: survey's own example (?rake), apiclus1 raked to the
# apipop margins of school type (stype) and schoolwide growth target met (sch.wide).
#
#   dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
#   rclus1 <- rake(dclus1, list(~sch.wide, ~stype), list(pop.schwide, pop.types))
#
# survey::rake's default control (maxit = 10, epsilon = 1: stop when no cell of the joint weighted
# table moves by one unit) stops early; here it runs to full convergence (epsilon = 1e-13 relative to
# the total weight, maxit = 1000), where the raking solution is unique (it does not depend on the
# order of the margins), so flexemp's rake can be compared at 1e-8.
#
# Data: `Rscript tests/reference/rake.R --export` writes data/apiclus1.csv (the columns used, with a
# row id) and data/apipop_margins.csv (the population counts of stype and sch.wide in apipop) from
# survey's data(api); without --export the script reads only those two files.
#
# Output: out/rake.csv, model = rake | poststratify, weights = prob (pw is the base weight),
# vcov = none, term = the row id, quantity = weight (the calibrated weight of that row); and for each
# case, term = <variable>:<level>, quantity = total (the calibrated weighted total of that level).

source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(survey))

if ("--export" %in% commandArgs(trailingOnly = TRUE)) {
  data(api)
  d <- data.frame(id = seq_len(nrow(apiclus1)), dnum = apiclus1$dnum, pw = apiclus1$pw,
                  fpc = apiclus1$fpc, stype = as.character(apiclus1$stype),
                  sch.wide = as.character(apiclus1$sch.wide))
  write.csv(d, file.path(REF_DIR, "data", "apiclus1.csv"), row.names = FALSE)
  tab <- function(v) { t <- table(apipop[[v]]); data.frame(variable = v, level = names(t), count = as.vector(t)) }
  write.csv(rbind(tab("stype"), tab("sch.wide")), file.path(REF_DIR, "data", "apipop_margins.csv"),
            row.names = FALSE)
}

apiclus1 <- read_data("apiclus1")
margins <- read_data("apipop_margins")
pop <- function(v) {
  m <- margins[margins$variable == v, ]
  out <- data.frame(m$level, m$count)
  names(out) <- c(v, "Freq")
  out
}
pop.types <- pop("stype")
pop.schwide <- pop("sch.wide")
stopifnot(pop.types$Freq == c(4421, 755, 1018), pop.schwide$Freq == c(1072, 5122))

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
ctl <- list(maxit = 1000, epsilon = 1e-13)
rclus1 <- rake(dclus1, list(~sch.wide, ~stype), list(pop.schwide, pop.types), control = ctl)
# the limit does not depend on the order of the margins
rclus1b <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctl)
stopifnot(isTRUE(all.equal(weights(rclus1), weights(rclus1b), tolerance = 1e-11)))
# the raked margins equal the population counts
tot <- function(des, v) { t <- svytable(as.formula(paste("~", v)), des); setNames(as.vector(t), names(t)) }
stopifnot(abs(tot(rclus1, "stype")[pop.types$stype] - pop.types$Freq) < 1e-8,
          abs(tot(rclus1, "sch.wide")[pop.schwide$sch.wide] - pop.schwide$Freq) < 1e-8)

emit_case <- function(case, model, des) {
  emit(case, model, "none", "prob", as.character(apiclus1$id), "weight", weights(des))
  for (v in c("stype", "sch.wide")) {
    t <- tot(des, v)
    emit(case, model, "none", "prob", paste0(v, ":", names(t)), "total", t)
  }
}
emit_case("apiclus1_rake", "rake", rclus1)
# post-stratification on one variable (survey's ?postStratify example)
pclus1 <- postStratify(dclus1, ~stype, pop.types)
emit_case("apiclus1_poststratify", "poststratify", pclus1)

write_outputs("rake", list(
  apiclus1_rake = list(data = "data/apiclus1.csv", model = "rake", weights = "pw",
                       margins = "data/apipop_margins.csv: stype, sch.wide (population counts)",
                       r = "rake(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), list(~sch.wide, ~stype), list(pop.schwide, pop.types), control=list(maxit=1000, epsilon=1e-13))",
                       note = "weights(rclus1) per row id; weighted totals per level"),
  apiclus1_poststratify = list(data = "data/apiclus1.csv", model = "poststratify", weights = "pw",
                               margins = "data/apipop_margins.csv: stype (population counts)",
                               r = "postStratify(dclus1, ~stype, pop.types)",
                               note = "weights per row id; weighted totals per level")
), c("survey"))
