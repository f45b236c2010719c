# Writes the Stata fixtures read by tests/Alliance.Analytics.Tests/Data/DtaReaderTests.cs, and haven's own view of
# each file (read_dta) as JSON beside it. Run from this folder: Rscript make-stata-fixtures.R
# haven 2.x (R), jsonlite. The data: 8 administrations of a 5-point alliance questionnaire (WAI-SR-shaped item
# names) with value labels (the anchors) and tagged missing values (.a "Refused", .b "Not asked"), string ids with
# non-ASCII characters (José), an integer session, a double score with a system-missing value, and (releases 117-119)
# a string longer than 2045 bytes, which haven writes as a strL.
# Releases: version = 13 -> 117, 14 -> 118, 15 -> 119 (haven's numbering is Stata's), 12 -> 115, 10 -> 114, 8 -> 113.
suppressPackageStartupMessages({ library(haven); library(jsonlite) })
anchors <- c("Seldom" = 1, "Sometimes" = 2, "Fairly often" = 3, "Very often" = 4, "Always" = 5)
labels <- c(anchors, "Refused" = tagged_na("a"), "Not asked" = tagged_na("b"))
item <- function(x) labelled(x, labels = labels, label = "Alliance item")
d <- data.frame(client_id = c("José", "Josè", "c3", "c4", "c5", "c6", "c7", "c8"), stringsAsFactors = FALSE)
d$session <- c(1L, 2L, 1L, 2L, 1L, 1L, 2L, 3L)
d$wai1 <- item(c(1, 2, 3, 4, 5, tagged_na("a"), 3, 2))
d$wai2 <- item(c(5, 4, NA, 3, 2, 1, tagged_na("b"), 4))
d$wai3 <- item(c(3, 3, 3, tagged_na("a"), 4, 5, 1, 2))
d$therapist <- c("t1", "t1", "t2", "t2", "t3", "t3", "t1", "t2")
d$score <- c(2.5, 3.25, NA, 1e-3, -4, 123456.789, 0, 7)
attr(d$session, "label") <- "Session number"
long <- d
long$note <- c(strrep("x", 3000), "", "short", "ä", "", "", strrep("José ", 500), "")
for (v in c(13, 14, 15)) write_dta(long, sprintf("alliance-%d.dta", c(`13` = 117, `14` = 118, `15` = 119)[[as.character(v)]]), version = v)
write_dta(d, "alliance-115.dta", version = 12)
write_dta(d, "alliance-114.dta", version = 10)
write_dta(d, "alliance-113.dta", version = 8)

view <- function(path) {
  x <- read_dta(path)
  lapply(setNames(names(x), names(x)), function(n) {
    col <- x[[n]]
    labs <- attr(col, "labels")
    text <- is.character(col)
    list(
      label = attr(col, "label", exact = TRUE),
      type = if (text) "text" else "number",
      values = if (text) as.character(col) else as.numeric(unclass(col)),
      missing = if (text) NULL else { t <- na_tag(col); t[is.na(col) & is.na(t)] <- ""; t },
      value_labels = if (is.null(labs) || all(is.na(labs))) NULL else as.list(setNames(as.numeric(labs[!is.na(labs)]), names(labs)[!is.na(labs)])),
      missing_labels = if (is.null(labs) || !any(is.na(labs))) NULL else as.list(setNames(names(labs)[is.na(labs)], na_tag(labs[is.na(labs)]))))
  })
}
for (f in c("alliance-117.dta", "alliance-118.dta", "alliance-119.dta", "alliance-115.dta", "alliance-114.dta", "alliance-113.dta"))
  writeLines(toJSON(view(f), auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE), paste0(f, ".haven.json"))
# The CSV twins (every missing value written as an empty field) for the equivalence tests: alliance-twin.csv for
# releases 113-115, alliance-twin-strl.csv (with the long note) for releases 117-119.
twin <- data.frame(client_id = d$client_id, session = d$session,
                   wai1 = as.numeric(d$wai1), wai2 = as.numeric(d$wai2), wai3 = as.numeric(d$wai3),
                   therapist = d$therapist, score = d$score)
write.csv(twin, "alliance-twin.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")
twin$note <- long$note
write.csv(twin, "alliance-twin-strl.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")
