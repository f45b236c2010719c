# Writes the Excel fixtures read by tests/Alliance.Analytics.Tests/Data/ExcelReaderTests.cs with openxlsx (a
# spreadsheet library other than ours), and openxlsx's own view of every sheet (read.xlsx) as JSON beside it.
# Run from this folder: Rscript make-excel-fixtures.R   (openxlsx 4.2, jsonlite)
# alliance.xlsx, sheet "Responses": 8 administrations of a 5-point questionnaire, UTF-8 ids (José), missing cells,
# wai3 written as text ("3"), a blank row before the header (the header is the first non-empty row).
# Sheet "Followup": a second sheet with a date column (not an item) and a formula openxlsx leaves uncomputed.
# Sheet "DateItem": a date in an item column (refused, naming the cell).
# clinic-200.xlsx: 200 rows of the synthetic clinic (WAI-SR) with a CSV twin, for score/validate equivalence.
# written-by-alliance.xlsx is written by our XlsxWriter (ExcelReaderTests, ALLIANCE_WRITE_FIXTURES=1); openxlsx
# reads it back into written-by-alliance.xlsx.openxlsx.json.
suppressPackageStartupMessages({ library(openxlsx); library(jsonlite) })
d <- data.frame(client_id = c("José", "Zoë", "c3", "c4", "c5", "c6", "c7", "c8"), stringsAsFactors = FALSE)
d$session <- c(1, 2, 1, 2, 1, 1, 2, 3)
d$wai1 <- c(1, 2, 3, 4, 5, NA, 3, 2)
d$wai2 <- c(5, 4, NA, 3, 2, 1, 4, 4)
d$wai3 <- c("3", "3", "3", "2", "4", "5", "1", "2")   # numbers stored as text
d$therapist_id <- c("t1", "t1", "t2", "t2", "t3", "t3", "t1", "t2")
d$score <- c(2.5, 3.25, NA, 1e-3, -4, 123456.789, 0, 7)
wb <- createWorkbook()
addWorksheet(wb, "Responses")
writeData(wb, "Responses", d, startRow = 2, keepNA = FALSE)
f <- data.frame(client_id = c("José", "Zoë", "c3"), visit = as.Date(c("2024-03-01", "2024-03-15", "2024-04-02")),
                wai1 = c(4, 5, 3), stringsAsFactors = FALSE)
addWorksheet(wb, "Followup")
writeData(wb, "Followup", f)
writeFormula(wb, "Followup", x = "SUM(C2:C4)", startCol = 3, startRow = 5)
addWorksheet(wb, "DateItem")
writeData(wb, "DateItem", data.frame(client_id = c("a", "b"), wai1 = c(1, 2), wai2 = as.Date(c("2024-01-05", NA))))
saveWorkbook(wb, "alliance.xlsx", overwrite = TRUE)

# The CSV twin of sheet Responses (missing cells as empty fields) for the equivalence test.
write.csv(d, "alliance-twin.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")

# clinic-200.xlsx: the first 200 rows of data/synthetic/clinic/clinic.csv (WAI-SR, 12 items), ids kept as text, for
# the score equivalence test against its CSV twin clinic-200.csv.
clinic <- read.csv("../../../../data/synthetic/clinic/clinic.csv", colClasses = c(client_id = "character", therapist_id = "character", rater = "character"))[1:200, ]
write.xlsx(clinic, "clinic-200.xlsx", sheetName = "clinic", keepNA = FALSE)
write.csv(clinic, "clinic-200.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")

view <- function(path) {
  sheets <- getSheetNames(path)
  setNames(lapply(sheets, function(s) {
    x <- read.xlsx(path, sheet = s, detectDates = TRUE, skipEmptyRows = TRUE)
    lapply(setNames(names(x), names(x)), function(n) {
      col <- x[[n]]
      list(type = if (inherits(col, "Date")) "date" else if (is.numeric(col)) "number" else "text",
           values = if (inherits(col, "Date")) format(col, "%Y-%m-%d") else col)
    })
  }), sheets)
}
for (p in c("alliance.xlsx", "written-by-alliance.xlsx"))
  if (file.exists(p))
    writeLines(toJSON(view(p), auto_unbox = FALSE, digits = NA, na = "null", null = "null", pretty = TRUE), paste0(p, ".openxlsx.json"))
