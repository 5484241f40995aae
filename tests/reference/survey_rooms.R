# Reference values for the room-level indicators (tests/test_survey_rooms_reference.py),
# from R's survey package, on the bundled synthetic survey with a made-up weight.
#
# Run from tests/reference/ (needs R with the survey and jsonlite packages; on Debian:
# apt-get install r-base-core r-cran-survey r-cran-jsonlite):
#
#     cd tests/reference && Rscript survey_rooms.R
#
# Input: data/baby_survey.csv (written once by baby_survey_data.py). The script builds the
# room table itself, independently of baby_room: one row per (setting_id, room_id), the
# values of the first respondent in the priority manager > room_leader > educator (ties:
# row order), rooms in order of first appearance; then the EYFS columns. rule_all is the
# conjunction of the three staffing rules among rooms where all three are known
# (complete case). It writes survey_rooms_values.json: one record per estimate, with the
# R call that produced it. CI has no R: the tests read the JSON.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
options(survey.lonely.psu = "fail")

resp <- read.csv(file.path("data", "baby_survey.csv"), stringsAsFactors = FALSE)
resp$cpd <- as.numeric(as.logical(resp$cpd_baby_past_year))

# ---- the room table --------------------------------------------------------------------
key <- paste(resp$setting_id, resp$room_id, sep = "\x1f")
rank <- match(resp$role, c("manager", "room_leader", "educator"))
rank[is.na(rank)] <- 4
first <- ave(seq_along(key), key, FUN = min)
ord <- order(first, rank, seq_along(key))
chosen <- ord[!duplicated(key[ord])]
rooms <- resp[chosen, ]
rooms$n_respondents <- as.vector(table(key)[key[chosen]])
g <- rooms$group_size; s <- rooms$staff_in_room
l3 <- rooms$staff_level3; l2 <- rooms$staff_level2; bt <- rooms$staff_baby_trained
rooms$meets <- as.numeric(g <= 3 * s)
rooms$r_l3 <- as.numeric(l3 >= 1)
lead <- pmin(l3, 1)
rooms$r_l2 <- as.numeric(2 * (l2 + l3 - lead) >= s - lead)
rooms$r_bt <- as.numeric(2 * bt >= s)
known <- complete.cases(rooms$r_l3, rooms$r_l2, rooms$r_bt)
rooms$r_all <- ifelse(known, as.numeric(rooms$r_l3 & rooms$r_l2 & rooms$r_bt), NA)
rooms$le12 <- as.numeric(g <= 12)
rooms$gt12 <- as.numeric(g > 12)
rooms$below <- s - l3 - l2

pop_region <- data.frame(
  region = c("East Midlands", "East of England", "London", "North East", "North West",
             "South East", "South West", "West Midlands", "Yorkshire and The Humber"),
  Freq = c(1900, 2600, 3300, 1100, 3100, 3900, 2300, 2500, 2300))
pop_type <- data.frame(setting_type = c("private", "voluntary", "maintained", "independent"),
                       Freq = c(16000, 3500, 2200, 1300))

designs <- list(
  srs = svydesign(ids = ~1, data = rooms),
  raked = rake(svydesign(ids = ~setting_id, weights = ~w, data = rooms),
               list(~region, ~setting_type), list(pop_region, pop_type),
               control = list(maxit = 100, epsilon = 1e-10))
)
resp_raked <- rake(svydesign(ids = ~setting_id, weights = ~w, data = resp),
                   list(~region, ~setting_type), list(pop_region, pop_type),
                   control = list(maxit = 100, epsilon = 1e-10))

records <- list()
add <- function(design, measure, estimate, se = NA, ci = c(NA, NA), df = NA, n = NA,
                by = NA, domain = NA, method = NA, call = "") {
  records[[length(records) + 1]] <<- list(
    design = design, measure = measure, by = by, domain = as.character(domain),
    method = method, estimate = unname(as.numeric(estimate)), se = unname(as.numeric(se)),
    ci_low = unname(as.numeric(ci[1])), ci_high = unname(as.numeric(ci[2])),
    df = unname(as.numeric(df)), n = unname(as.numeric(n)), call = call)
}
# design df among the rows where the variables are observed (as a domain)
dfn <- function(d, vars) {
  ok <- complete.cases(d$variables[, vars, drop = FALSE])
  degf(subset(d, ok))
}
nobs <- function(d, vars) sum(complete.cases(d$variables[, vars, drop = FALSE]))
mean_rec <- function(dn, d, var, measure) {
  m <- svymean(as.formula(paste0("~", var)), d, na.rm = TRUE)
  df <- dfn(d, var)
  add(dn, measure, coef(m), SE(m), confint(m, df = df), df, nobs(d, var),
      call = sprintf("svymean(~%s, design, na.rm=TRUE); confint(df=degf)", var))
}
ratio_rec <- function(dn, d, num, den, measure) {
  r <- svyratio(as.formula(paste0("~", num)), as.formula(paste0("~", den)), d, na.rm = TRUE)
  df <- dfn(d, c(num, den))
  add(dn, measure, coef(r), SE(r), confint(r, df = df), df, nobs(d, c(num, den)),
      call = sprintf("svyratio(~%s, ~%s, design, na.rm=TRUE)", num, den))
}
prop_rec <- function(dn, d, var, measure, methods = c("logit", "beta")) {
  # the domain of rows with a value, as a subset; NA recoded to 0 first because a subset of
  # a calibrated (raked) design keeps the other rows (with zero weight) and an NA there
  # makes the variance NaN
  x <- d$variables[[var]]
  d$variables$.x <- ifelse(is.na(x), 0, x)
  d$variables$.ok <- !is.na(x)
  sub <- subset(d, .ok)
  df <- dfn(d, var)
  n_dom <- sum(!is.na(x))
  for (meth in methods) {
    cp <- svyciprop(~.x, sub, method = meth, df = df)
    ci <- confint(cp)
    call <- sprintf("svyciprop(~%s, subset(design, !is.na(%s)), method='%s', df=degf)",
                    var, var, meth)
    if (meth == "beta" && nrow(sub) != n_dom) {
      # svyciprop(method="beta") scales n* by (t_{nrow-1}/t_df)^2 with nrow the rows of the
      # design, which for a subset of a calibrated design are all rows: use the domain's
      # rows instead (Korn & Graubard 1998), as for an uncalibrated design
      p <- as.numeric(coef(cp)); v <- as.numeric(attr(cp, "var"))
      ne <- p * (1 - p) / v * (qt(0.025, n_dom - 1) / qt(0.025, df))^2
      ci <- c(qbeta(0.025, ne * p, ne * (1 - p) + 1), qbeta(0.975, ne * p + 1, ne * (1 - p)))
      call <- paste(call, "with n* = p(1-p)/var * (qt(.025, n_domain-1)/qt(.025, df))^2")
    }
    add(dn, measure, coef(cp), sqrt(attr(cp, "var")), ci, df, n_dom, method = meth,
        call = call)
  }
  # Wilson score interval at the effective sample size n* = p(1-p)/SE^2 (no df
  # adjustment; not in survey): prop.test without continuity correction
  m <- svymean(as.formula(paste0("~", var)), d, na.rm = TRUE)
  p <- as.numeric(coef(m)); v <- as.numeric(SE(m))^2
  ne <- p * (1 - p) / v
  w <- suppressWarnings(prop.test(ne * p, ne, correct = FALSE)$conf.int)
  add(dn, measure, p, sqrt(v), w, df, nobs(d, var), method = "wilson",
      call = sprintf("prop.test(n*p, n*, correct=FALSE), n* = p(1-p)/SE^2 of svymean(~%s)", var))
}

for (dn in names(designs)) {
  d <- designs[[dn]]
  w <- weights(d)
  for (v in c("region", "setting_type")) {
    tot <- tapply(w, d$variables[[v]], sum)
    for (k in names(tot)) add(dn, "weight_total", tot[[k]], by = v, domain = k,
                               call = "tapply(weights(design), variable, sum)")
  }
  # group_size_summary
  mean_rec(dn, d, "group_size", "mean")
  q <- svyquantile(~group_size, d, quantiles = 0.5)
  add(dn, "median", q$group_size[1, "quantile"], q$group_size[1, "se"],
      q$group_size[1, 2:3], degf(d), nrow(d$variables),
      call = "svyquantile(~group_size, design, quantiles=0.5)")
  prop_rec(dn, d, "le12", "share_at_or_below_12")
  prop_rec(dn, d, "gt12", "share_above_12")
  b <- svyby(~group_size, ~region, d, svymean)
  for (k in seq_len(nrow(b))) {
    add(dn, "mean", b$group_size[k], b$se[k], by = "region", domain = b$region[k],
        call = "svyby(~group_size, ~region, design, svymean)")
  }
  # ratio_summary
  ratio_rec(dn, d, "group_size", "staff_in_room", "babies_per_adult")
  prop_rec(dn, d, "meets", "share_meeting_eyfs_ratio", c("logit", "beta", "mean"))
  b <- svyby(~group_size, ~setting_type, d, svyratio, denominator = ~staff_in_room)
  for (k in seq_len(nrow(b))) {
    add(dn, "babies_per_adult", b[k, 2], b[k, 3], by = "setting_type",
        domain = b$setting_type[k],
        call = "svyby(~group_size, ~setting_type, design, svyratio, denominator=~staff_in_room)")
  }
  # workforce_summary
  ratio_rec(dn, d, "staff_level3", "staff_in_room", "share_staff_level3")
  ratio_rec(dn, d, "staff_level2", "staff_in_room", "share_staff_level2")
  ratio_rec(dn, d, "below", "staff_in_room", "share_staff_below_level2")
  prop_rec(dn, d, "r_l3", "rule_level3")
  prop_rec(dn, d, "r_l2", "rule_half_others_level2")
  prop_rec(dn, d, "r_bt", "rule_half_baby_trained")
  prop_rec(dn, d, "r_all", "rule_all")
}
# respondent-level CPD from the respondent design raked to the same margins
prop_rec("raked_respondents", resp_raked, "cpd", "cpd_baby_past_year")

out <- list(
  meta = list(
    script = "tests/reference/survey_rooms.R",
    r_version = R.version.string,
    survey_version = as.character(packageVersion("survey")),
    created = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
    n_rooms = nrow(rooms),
    note = "room-level indicators of the synthetic survey (data/baby_survey.csv)"
  ),
  values = records
)
write_json(out, "survey_rooms_values.json", auto_unbox = TRUE, digits = I(15), na = "null",
           pretty = TRUE)
cat("wrote", length(records), "reference values\n")
