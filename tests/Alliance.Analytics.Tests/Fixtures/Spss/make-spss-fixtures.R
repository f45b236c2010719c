# Writes the SPSS fixtures read by tests/Alliance.Analytics.Tests/Data/SavReaderTests.cs, and haven's own view of
# each file (read_sav) as JSON beside it. Run from this folder: Rscript make-spss-fixtures.R
# haven 2.x (R), jsonlite. The data: 8 administrations of a 5-point alliance questionnaire (WAI-SR-shaped item
# names), string ids with non-ASCII characters, user-missing 99 (discrete) and 97-98 (range), one system-missing,
# a long variable name and a very long string (> 255 bytes).
suppressPackageStartupMessages({ library(haven); library(jsonlite) })
anchors <- c("Seldom" = 1, "Sometimes" = 2, "Fairly often" = 3, "Very often" = 4, "Always" = 5)
item <- function(x) labelled_spss(x, labels = c(anchors, "No answer" = 99), na_values = 99, na_range = c(97, 98),
                                  label = "Alliance item")
d <- data.frame(client_id = c("José", "Josè", "c3", "c4", "c5", "c6", "c7", "c8"), stringsAsFactors = FALSE)
d$session <- c(1, 2, 1, 2, 1, 1, 2, 3)
d$wai1 <- item(c(1, 2, 3, 4, 5, 99, 3, 2))
d$wai2 <- item(c(5, 4, NA, 3, 2, 1, 97, 4))
d$wai3 <- item(c(3, 3, 3, 98, 4, 5, 1, 2))
d$therapist_identifier_long_name <- c("t1", "t1", "t2", "t2", "t3", "t3", "t1", "t2")
d$note <- c(strrep("x", 300), "", "short", "ä", "", "", "", strrep("ab", 200))
d$score <- c(2.5, 3.25, NA, 1e-3, -4, 123456.789, 0, 7)
attr(d$session, "label") <- "Session number"
write_sav(d, "alliance-byte.sav", compress = "byte")
write_sav(d, "alliance-none.sav", compress = "none")
write_sav(d, "alliance.zsav", compress = "zsav")

view <- function(path) {
  x <- read_sav(path, user_na = TRUE)
  lapply(setNames(names(x), names(x)), function(n) {
    col <- x[[n]]
    list(
      label = attr(col, "label", exact = TRUE),
      type = if (is.character(col)) "text" else "number",
      values = if (is.character(col)) as.character(col) else {
        v <- as.numeric(unclass(col)); miss <- is.na(col) & !is.na(v)   # user-missing: shown as missing
        v[miss] <- NA; v },
      na_values = if (is.null(attr(col, "na_values"))) NULL else attr(col, "na_values"),
      na_range = if (is.null(attr(col, "na_range"))) NULL else attr(col, "na_range"),
      value_labels = if (is.null(attr(col, "labels"))) NULL else as.list(setNames(as.numeric(attr(col, "labels")), names(attr(col, "labels")))))
  })
}
# alliance-pspp.sav and .zsav are written by PSPP (make-pspp-fixtures.sps); haven's view of them is stored too.
# written-by-alliance.sav is written by our SavWriter (SavWriterTests, ALLIANCE_WRITE_FIXTURES=1): haven reads it back.
for (f in c("alliance-byte.sav", "alliance-none.sav", "alliance.zsav", "alliance-pspp.sav", "alliance-pspp.zsav", "written-by-alliance.sav"))
  writeLines(toJSON(view(f), auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE), paste0(f, ".haven.json"))
# The CSV twin (user-missing and system-missing written as empty fields) for the equivalence test.
twin <- data.frame(client_id = d$client_id, session = d$session,
                   wai1 = as.numeric(zap_missing(d$wai1)), wai2 = as.numeric(zap_missing(d$wai2)), wai3 = as.numeric(zap_missing(d$wai3)),
                   therapist_identifier_long_name = d$therapist_identifier_long_name, note = d$note, score = d$score)
write.csv(twin, "alliance-twin.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")
