# Reference values for tests/test_survey_design.py, from R's survey package.
#
# Run from tests/reference/ (needs R with the survey and jsonlite packages; on
# Debian: apt-get install r-base-core r-cran-survey r-cran-jsonlite):
#
#     cd tests/reference && Rscript survey_api.R
#
# It (1) exports survey's `api` example data (apisrs, apistrat, apiclus1, apiclus2)
# to data/*.csv, (2) reads them back from those CSV files, so R and Python see the
# very same numbers, and (3) writes survey_api_values.json: one record per
# estimate, with the R call that produced it. CI has no R: the tests read the JSON.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
options(survey.lonely.psu = "fail")

data(api)
dir.create("data", showWarnings = FALSE)
for (nm in c("apisrs", "apistrat", "apiclus1", "apiclus2")) {
  write.csv(get(nm), file.path("data", paste0(nm, ".csv")), row.names = FALSE, na = "")
}
rd <- function(nm) read.csv(file.path("data", paste0(nm, ".csv")), stringsAsFactors = TRUE)
srs <- rd("apisrs"); strat <- rd("apistrat"); clus1 <- rd("apiclus1"); clus2 <- rd("apiclus2")

designs <- list(
  srs    = svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = srs),
  strat  = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat),
  clus1  = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1),
  clus2  = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = clus2),
  # no weights, no fpc: equal weights, sampling with replacement (ids = ~1)
  srs_nowt = suppressWarnings(svydesign(id = ~1, data = srs)),
  # stratified cluster design without fpc, clusters repeated across strata (nest = TRUE)
  strat_clus = svydesign(id = ~dnum, strata = ~stype, weights = ~pw, data = strat, nest = TRUE)
)

records <- list()
add <- function(design, statistic, variable, estimate, se = NA, ci = c(NA, NA), df = NA,
                deff = NA, by = NA, domain = NA, extra = list(), call = "") {
  rec <- c(list(design = design, statistic = statistic, variable = variable,
                by = by, domain = as.character(domain),
                estimate = unname(as.numeric(estimate)), se = unname(as.numeric(se)),
                ci_low = unname(as.numeric(ci[1])), ci_high = unname(as.numeric(ci[2])),
                df = unname(as.numeric(df)), deff = unname(as.numeric(deff)), call = call),
           extra)
  records[[length(records) + 1]] <<- rec
}

yes <- function(d) update(d, swyes = as.numeric(sch.wide == "Yes"),
                          awyes = as.numeric(awards == "Yes"))
# design df among the rows where `var` is observed (R's degf of the na.rm design,
# as svyquantile(na.rm=TRUE) uses it)
dfn <- function(des, var) degf(des[!is.na(des$variables[[var]]), ])

for (dn in names(designs)) {
  d <- yes(designs[[dn]])
  add(dn, "degf", NA, degf(d), call = "degf(design)")
  deff_kind <- if (dn %in% c("srs_nowt", "strat_clus")) "replace" else TRUE
  m <- svymean(~api00, d, deff = deff_kind)
  add(dn, "mean", "api00", coef(m), SE(m), confint(m, df = degf(d)), degf(d), deff(m),
      call = sprintf("svymean(~api00, design, deff=%s); confint(, df=degf(design))", deff_kind))
  t <- svytotal(~enroll, d, deff = deff_kind, na.rm = TRUE)
  add(dn, "total", "enroll", coef(t), SE(t), confint(t, df = dfn(d, "enroll")),
      dfn(d, "enroll"), deff(t),
      call = sprintf("svytotal(~enroll, design, deff=%s, na.rm=TRUE)", deff_kind))
  r <- svyratio(~api.stu, ~enroll, d, deff = deff_kind, na.rm = TRUE)
  add(dn, "ratio", "api.stu/enroll", coef(r), SE(r), confint(r, df = dfn(d, "enroll")),
      dfn(d, "enroll"), deff(r), call = "svyratio(~api.stu, ~enroll, design, na.rm=TRUE)")
  # missing values: acs.k3 has NAs; na.rm=TRUE drops them as a domain
  m <- svymean(~acs.k3, d, na.rm = TRUE)
  add(dn, "mean", "acs.k3", coef(m), SE(m), call = "svymean(~acs.k3, design, na.rm=TRUE)")
  # domains
  for (s in levels(d$variables$stype)) {
    sub <- subset(d, stype == s)
    m <- svymean(~api00, sub, deff = deff_kind)
    add(dn, "mean", "api00", coef(m), SE(m), confint(m, df = degf(sub)), degf(sub), deff(m),
        by = "stype", domain = s, call = "svyby(~api00, ~stype, design, svymean) [subset]")
    t <- svytotal(~enroll, sub, deff = deff_kind, na.rm = TRUE)
    add(dn, "total", "enroll", coef(t), SE(t), NA, dfn(sub, "enroll"), deff(t), by = "stype",
        domain = s, call = "svyby(~enroll, ~stype, design, svytotal, na.rm=TRUE) [subset]")
    r <- svyratio(~api.stu, ~enroll, sub, na.rm = TRUE)
    add(dn, "ratio", "api.stu/enroll", coef(r), SE(r), by = "stype", domain = s,
        call = "svyby(~api.stu, ~stype, design, svyratio, denominator=~enroll) [subset]")
    for (meth in c("logit", "xlogit", "beta", "mean", "asin")) {
      cp <- svyciprop(~swyes, sub, method = meth)
      add(dn, paste0("ciprop_", meth), "sch.wide==Yes", coef(cp), sqrt(attr(cp, "var")),
          confint(cp), degf(sub), by = "stype", domain = s,
          call = sprintf("svyciprop(~I(sch.wide=='Yes'), subset(design, stype==s), method='%s')", meth))
    }
    q <- svyquantile(~api00, sub, quantiles = c(0.25, 0.5))
    for (k in 1:2) {
      add(dn, "quantile", "api00", q$api00[k, "quantile"], q$api00[k, "se"],
          q$api00[k, 2:3], degf(sub), by = "stype", domain = s,
          extra = list(q = c(0.25, 0.5)[k]),
          call = "svyquantile(~api00, subset(design, stype==s), quantiles=c(0.25, 0.5))")
    }
  }
  # overall proportions with every svyciprop method that has a closed form
  for (meth in c("logit", "xlogit", "beta", "mean", "asin")) {
    cp <- svyciprop(~swyes, d, method = meth)
    add(dn, paste0("ciprop_", meth), "sch.wide==Yes", coef(cp), sqrt(attr(cp, "var")),
        confint(cp), degf(d), call = sprintf("svyciprop(~I(sch.wide=='Yes'), design, method='%s')", meth))
  }
  # quantiles, default rule (qrule="math", interval.type="mean") and other interval types
  q <- svyquantile(~api00, d, quantiles = c(0.1, 0.25, 0.5, 0.75, 0.9))
  for (k in seq_len(nrow(q$api00))) {
    add(dn, "quantile", "api00", q$api00[k, "quantile"], q$api00[k, "se"], q$api00[k, 2:3],
        degf(d), extra = list(q = c(0.1, 0.25, 0.5, 0.75, 0.9)[k], interval_type = "mean"),
        call = "svyquantile(~api00, design, quantiles=c(0.1,0.25,0.5,0.75,0.9))")
  }
  for (it in c("xlogit", "beta", "asin")) {
    q <- svyquantile(~api00, d, quantiles = 0.5, interval.type = it)
    add(dn, "quantile", "api00", q$api00[1, "quantile"], q$api00[1, "se"], q$api00[1, 2:3],
        degf(d), extra = list(q = 0.5, interval_type = it),
        call = sprintf("svyquantile(~api00, design, quantiles=0.5, interval.type='%s')", it))
  }
  q <- svyquantile(~acs.k3, d, quantiles = 0.5, na.rm = TRUE)
  add(dn, "quantile", "acs.k3", q$acs.k3[1, "quantile"], q$acs.k3[1, "se"], q$acs.k3[1, 2:3],
      extra = list(q = 0.5, interval_type = "mean"),
      call = "svyquantile(~acs.k3, design, quantiles=0.5, na.rm=TRUE)")
  # tests
  x <- svychisq(~stype + sch.wide, d)
  add(dn, "chisq", "stype:sch.wide", x$statistic, extra = list(
      ndf = unname(x$parameter["ndf"]), ddf = unname(x$parameter["ddf"]), p_value = x$p.value),
      call = "svychisq(~stype + sch.wide, design)  # statistic='F'")
  x <- svychisq(~stype + awards, d)
  add(dn, "chisq", "stype:awards", x$statistic, extra = list(
      ndf = unname(x$parameter["ndf"]), ddf = unname(x$parameter["ddf"]), p_value = x$p.value),
      call = "svychisq(~stype + awards, design)")
  tt <- svyttest(api00 ~ comp.imp, d)
  add(dn, "ttest", "api00~comp.imp", tt$estimate, ci = tt$conf.int, df = tt$parameter,
      extra = list(t = unname(tt$statistic), p_value = tt$p.value),
      call = "svyttest(api00 ~ comp.imp, design)")
  rt <- regTermTest(svyglm(api00 ~ stype, d), ~stype)
  add(dn, "waldF", "api00~stype", rt$Ftest, extra = list(
      ndf = rt$df, ddf = rt$ddf, p_value = as.numeric(rt$p)),
      call = "regTermTest(svyglm(api00 ~ stype, design), ~stype)")
}

# lonely PSUs: apiclus1 with strata in which stratum "A" holds a single district
lon <- clus1
lon$lstrat <- ifelse(lon$dnum == min(lon$dnum), "A", ifelse(lon$dnum <= 400, "B", "C"))
for (opt in c("remove", "adjust", "certainty")) {
  options(survey.lonely.psu = opt)
  d <- svydesign(id = ~dnum, strata = ~lstrat, weights = ~pw, data = lon)
  m <- svymean(~api00, d)
  add(paste0("lonely_", opt), "mean", "api00", coef(m), SE(m), df = degf(d),
      call = sprintf("options(survey.lonely.psu='%s'); svymean(~api00, svydesign(id=~dnum, strata=~lstrat, weights=~pw, data=clus1))", opt))
  t <- svytotal(~enroll, d, na.rm = TRUE)
  add(paste0("lonely_", opt), "total", "enroll", coef(t), SE(t), df = degf(d),
      call = sprintf("options(survey.lonely.psu='%s'); svytotal(~enroll, ...)", opt))
}
options(survey.lonely.psu = "fail")

# raking (R's example margins), converged tightly so that both programs reach
# the same fixed point: epsilon < 1 means epsilon * sum(weights)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
for (dn in c("srs", "strat", "clus1", "clus2")) {
  d0 <- yes(designs[[dn]])
  d <- rake(d0, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
            control = list(maxit = 100, epsilon = 1e-10))
  tag <- paste0("raked_", dn)
  w <- weights(d)
  add(tag, "weights_sum", NA, sum(w), extra = list(
      kish_deff = length(w) * sum(w^2) / sum(w)^2, n_eff = sum(w)^2 / sum(w^2),
      w_first = w[1], w_last = w[length(w)]),
      call = "rake(design, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=100, epsilon=1e-10))")
  m <- svymean(~api00, d)
  add(tag, "mean", "api00", coef(m), SE(m), call = "svymean(~api00, raked)")
  t <- svytotal(~enroll, d, na.rm = TRUE)
  add(tag, "total", "enroll", coef(t), SE(t), call = "svytotal(~enroll, raked, na.rm=TRUE)")
  p <- svymean(~swyes, d)
  add(tag, "mean", "swyes", coef(p), SE(p), call = "svymean(~I(sch.wide=='Yes'), raked)")
  b <- svyby(~api00, ~stype, d, svymean)
  for (k in seq_len(nrow(b))) {
    add(tag, "mean", "api00", b$api00[k], b$se[k], by = "stype", domain = b$stype[k],
        call = "svyby(~api00, ~stype, raked, svymean)")
  }
  b <- svyby(~api00, ~comp.imp, d, svymean)
  for (k in seq_len(nrow(b))) {
    add(tag, "mean", "api00", b$api00[k], b$se[k], by = "comp.imp", domain = b$comp.imp[k],
        call = "svyby(~api00, ~comp.imp, raked, svymean)")
  }
  r <- svyratio(~api.stu, ~enroll, d, na.rm = TRUE)
  add(tag, "ratio", "api.stu/enroll", coef(r), SE(r),
      call = "svyratio(~api.stu, ~enroll, raked, na.rm=TRUE)")
  for (meth in c("logit", "beta", "mean")) {
    # (sch.wide is a raking margin, so its share is fixed: use awards instead)
    cp <- svyciprop(~awyes, d, method = meth)
    add(tag, paste0("ciprop_", meth), "awards==Yes", coef(cp), sqrt(attr(cp, "var")),
        confint(cp), degf(d), call = sprintf("svyciprop(~I(awards=='Yes'), raked, method='%s')", meth))
  }
  q <- svyquantile(~api00, d, quantiles = c(0.25, 0.5))
  for (k in 1:2) {
    add(tag, "quantile", "api00", q$api00[k, "quantile"], q$api00[k, "se"], q$api00[k, 2:3],
        degf(d), extra = list(q = c(0.25, 0.5)[k], interval_type = "mean"),
        call = "svyquantile(~api00, raked, quantiles=c(0.25, 0.5))")
  }
}

out <- list(
  meta = list(
    script = "tests/reference/survey_api.R",
    r_version = R.version.string,
    survey_version = as.character(packageVersion("survey")),
    created = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
    note = "estimates of R's survey package on its api data (data/*.csv)"
  ),
  values = records
)
write_json(out, "survey_api_values.json", auto_unbox = TRUE, digits = I(15), na = "null",
           pretty = TRUE)
cat("wrote", length(records), "reference values\n")
