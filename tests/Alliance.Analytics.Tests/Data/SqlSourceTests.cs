using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Sql;
using Microsoft.Data.Sqlite;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// SQL sources (Alliance.Analytics.Sql): a SQLite database built from the first 50 rows of the synthetic clinic set
/// reads to the same results as its CSV twin through every reading verb; NULL is missing; bad SQL, a missing
/// variable and a refused connection exit 2 in our words with the connection string redacted. No PostgreSQL server
/// is available here: Npgsql is tested through redaction and a refused connection only.
/// </summary>
public sealed class SqlSourceTests : IDisposable
{
    private static readonly string[] Items = [.. Enumerable.Range(1, 12).Select(i => "wai" + i.ToString(CultureInfo.InvariantCulture))];
    private static readonly string[] TextColumns = ["client_id", "therapist_id", "rater"];
    private static readonly string[] Describe = ["--instrument", "WAI-SR", "--items", string.Join(",", Items), "--points", "5"];

    private readonly TempDir _dir = new();
    private readonly List<string> _variables = [];

    public void Dispose()
    {
        foreach (string v in _variables) Environment.SetEnvironmentVariable(v, null);
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    /// <summary>A unique environment variable holding <paramref name="connectionString"/>, removed after the test.</summary>
    private string Variable(string connectionString)
    {
        string name = "ALLIANCE_TEST_DB_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, connectionString);
        _variables.Add(name);
        return name;
    }

    /// <summary>The first <paramref name="rows"/> rows of clinic.csv as a CSV file (no sidecar) and as table <c>clinic</c> of a SQLite file (numbers as INTEGER, empty cells as NULL).</summary>
    private (string Csv, string Db, int Nulls) Twins(int rows = 50, Action<string[], List<string[]>>? edit = null)
    {
        var lines = File.ReadLines(Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv")).Take(rows + 1).ToList();
        string[] header = lines[0].Split(',');
        var data = lines.Skip(1).Select(l => l.Split(',')).ToList();
        edit?.Invoke(header, data);
        string csv = _dir.File("clinic.csv", string.Join("\n", new[] { header }.Concat(data).Select(r => string.Join(",", r))) + "\n");
        string db = Path.Combine(_dir.Path, "clinic.db");
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = $"CREATE TABLE clinic ({string.Join(", ", header.Select(h => $"{h} {(TextColumns.Contains(h) ? "TEXT" : "INTEGER")}"))})";
            create.ExecuteNonQuery();
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO clinic VALUES ({string.Join(", ", header.Select((_, i) => "$p" + i))})";
            var parameters = header.Select((_, i) => insert.Parameters.Add("$p" + i, SqliteType.Text)).ToArray();
            foreach (var row in data)
                for (int i = 0; i < header.Length; i++)
                {
                    object value = row[i].Length == 0 ? DBNull.Value
                        : TextColumns.Contains(header[i]) ? row[i]
                        : long.Parse(row[i], CultureInfo.InvariantCulture);
                    parameters[i].Value = value;
                    parameters[i].SqliteType = value is long ? SqliteType.Integer : SqliteType.Text;
                    if (i == header.Length - 1) insert.ExecuteNonQuery();
                }
            tx.Commit();
        }
        return (csv, db, data.Sum(r => r.Count(v => v.Length == 0)));
    }

    private static JsonNode Json(string output) => JsonNode.Parse(output)!;

    /// <summary>
    /// Asserts that the SQL run's JSON equals the CSV run's, where by design the source is named differently
    /// (<c>sqlite:Data Source=…</c> for <c>clinic.csv</c>) and a record's <c>line</c> is its record number, one less
    /// than its physical line in the CSV file (whose header is line 1). Both differences are checked, not ignored.
    /// </summary>
    private static void AssertSameJson(JsonNode csv, JsonNode sql, string csvName, string sqlName)
    {
        void Walk(JsonNode? c, JsonNode? s, string where)
        {
            switch (c)
            {
                case JsonObject co:
                    var so = Assert.IsType<JsonObject>(s);
                    Assert.Equal(co.Select(p => p.Key), so.Select(p => p.Key));
                    foreach (var (key, value) in co)
                    {
                        if (key == "line" && value is JsonValue cl && cl.TryGetValue(out int csvLine))
                        {
                            Assert.Equal(csvLine - 1, (int)so[key]!);
                        }
                        else Walk(value, so[key], where + "." + key);
                    }
                    break;
                case JsonArray ca:
                    var sa = Assert.IsType<JsonArray>(s);
                    Assert.Equal(ca.Count, sa.Count);
                    for (int i = 0; i < ca.Count; i++) Walk(ca[i], sa[i], $"{where}[{i}]");
                    break;
                case JsonValue cv when cv.TryGetValue(out string? text):
                    Assert.Equal(text.Replace(csvName, sqlName, StringComparison.Ordinal), s!.GetValue<string>());
                    break;
                default:
                    Assert.Equal(c?.ToJsonString(), s?.ToJsonString());
                    break;
            }
        }
        Walk(csv, sql, "$");
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("score")]
    [InlineData("describe")]
    [InlineData("reliability")]
    [InlineData("analyze")]
    public void A_sqlite_query_gives_the_same_json_as_its_csv_twin(string verb)
    {
        var (csv, db, nulls) = Twins();
        Assert.True(nulls > 0, "the first 50 clinic rows should hold a missing value, read as NULL");
        string variable = Variable($"Data Source={db}");

        var fromCsv = CliRunner.Run([verb, csv, .. Describe, "--format", "json"]);
        var fromSql = CliRunner.Run([verb, "--sql", "SELECT * FROM clinic", "--provider", "sqlite", "--connection-env", variable, .. Describe, "--format", "json"]);

        Assert.Equal(0, fromCsv.Exit);
        Assert.True(fromSql.Exit == 0, fromSql.Err);
        AssertSameJson(Json(fromCsv.Out), Json(fromSql.Out), csv, $"sqlite:Data Source={db}");
    }

    [Fact]
    public void The_connection_string_can_come_from_a_file()
    {
        var (csv, db, _) = Twins(20);
        string file = _dir.File("connection.txt", $"Data Source={db}\n");
        var fromCsv = CliRunner.Run(["describe", csv, .. Describe, "--format", "json"]);
        var fromSql = CliRunner.Run(["describe", "--sql", "SELECT * FROM clinic", "--provider", "sqlite", "--connection-file", file, .. Describe, "--format", "json"]);
        Assert.True(fromSql.Exit == 0, fromSql.Err);
        AssertSameJson(Json(fromCsv.Out), Json(fromSql.Out), csv, $"sqlite:Data Source={db}");
    }

    [Fact]
    public void Null_is_read_as_missing_and_reported_like_an_empty_cell()
    {
        // Every item of record 3 NULL in the database, empty in the CSV twin.
        var (csv, db, _) = Twins(10, (header, rows) =>
        {
            foreach (string item in Items) rows[2][Array.IndexOf(header, item)] = "";
        });
        using (var source = SqlRecordSource.Open("sqlite", $"Data Source={db}", "SELECT wai1, client_id FROM clinic"))
        {
            Assert.Equal(["wai1", "client_id"], source.Columns!.Select(c => c.Name));
            var first = new List<string>();
            while (source.Read()) first.Add(source.Field(0).ToString());
            Assert.Equal(10, source.Line);
            Assert.Equal("", first[2]);
            Assert.All(first.Where((_, i) => i != 2), v => Assert.Matches("^[1-5]$", v));
        }
        string variable = Variable($"Data Source={db}");
        var fromCsv = CliRunner.Run(["score", csv, .. Describe, "--format", "json"]);
        var fromSql = CliRunner.Run(["score", "--sql", "SELECT * FROM clinic", "--provider", "sqlite", "--connection-env", variable, .. Describe, "--format", "json"]);
        Assert.Equal(0, fromCsv.Exit);
        Assert.True(fromSql.Exit == 0, fromSql.Err);
        AssertSameJson(Json(fromCsv.Out), Json(fromSql.Out), csv, $"sqlite:Data Source={db}");
        var third = Json(fromSql.Out)["rows"]![2]!;
        Assert.Equal(3, (int)third["line"]!);
        Assert.Null(third["total"]);
        Assert.NotNull(Json(fromSql.Out)["rows"]![1]!["total"]);
    }

    [Fact]
    public void Text_in_an_item_column_names_the_record_and_column()
    {
        var (_, db, _) = Twins(5);
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE clinic SET wai4 = 'often' WHERE rowid = 4";
            update.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        string variable = Variable($"Data Source={db}");
        var (exit, stdout, _) = CliRunner.Run(["validate", "--sql", "SELECT * FROM clinic", "--provider", "sqlite", "--connection-env", variable, .. Describe, "--format", "json"]);
        Assert.Equal(2, exit);
        var issue = Json(stdout)["issues"]!.AsArray().Single(i => (string?)i!["severity"] == "error");
        Assert.Equal(4, (int)issue!["line"]!);
        Assert.Equal("wai4", (string?)issue["column"]);
        Assert.Equal("often", (string?)issue["value"]);
    }

    [Fact]
    public void Bad_sql_exits_2_naming_the_problem_and_the_query()
    {
        var (_, db, _) = Twins(5);
        string variable = Variable($"Data Source={db}");
        var (exit, _, stderr) = CliRunner.Run(["describe", "--sql", "SELECT * FROM no_such_table", "--provider", "sqlite", "--connection-env", variable, .. Describe]);
        Assert.Equal(2, exit);
        Assert.Contains("no such table: no_such_table", stderr);
        Assert.Contains("query: SELECT * FROM no_such_table", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    [Fact]
    public void A_missing_database_file_is_not_created_and_exits_2()
    {
        string missing = Path.Combine(_dir.Path, "absent.db");
        string variable = Variable($"Data Source={missing}");
        var (exit, _, stderr) = CliRunner.Run(["describe", "--sql", "SELECT 1", "--provider", "sqlite", "--connection-env", variable]);
        Assert.Equal(2, exit);
        Assert.Contains("could not connect", stderr);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void An_unset_environment_variable_exits_2_naming_it()
    {
        string name = "ALLIANCE_TEST_DB_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var (exit, _, stderr) = CliRunner.Run(["score", "--sql", "SELECT * FROM clinic", "--provider", "sqlite", "--connection-env", name, .. Describe]);
        Assert.Equal(2, exit);
        Assert.Contains($"the environment variable {name} is not set", stderr);
    }

    [Theory]
    [InlineData(new[] { "describe" }, "give a data file, or --sql QUERY")]
    [InlineData(new[] { "describe", "x.csv", "--sql", "SELECT 1", "--provider", "sqlite", "--connection-env", "V" }, "not both")]
    [InlineData(new[] { "describe", "--sql", "SELECT 1", "--connection-env", "V" }, "--sql needs --provider")]
    [InlineData(new[] { "describe", "--sql", "SELECT 1", "--provider", "sqlite" }, "exactly one of --connection-env VAR or --connection-file FILE")]
    [InlineData(new[] { "describe", "--sql", "SELECT 1", "--provider", "sqlite", "--connection-env", "V", "--connection-file", "f" }, "exactly one of")]
    [InlineData(new[] { "describe", "x.csv", "--provider", "sqlite" }, "go with --sql QUERY")]
    [InlineData(new[] { "describe", "--sql", "SELECT 1", "--provider", "oracle", "--connection-env", "V" }, "--provider")]
    public void Sql_options_in_the_wrong_combination_are_usage_errors(string[] args, string message)
    {
        var (exit, _, stderr) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void A_refused_postgres_connection_exits_2_with_the_password_redacted()
    {
        string variable = Variable("Host=127.0.0.1;Port=1;Username=alice;Password='pa;ss w0rd';Timeout=3");
        var (exit, _, stderr) = CliRunner.Run(["describe", "--sql", "SELECT 1", "--provider", "postgres", "--connection-env", variable]);
        Assert.Equal(2, exit);
        Assert.Contains("postgres:Host=127.0.0.1;Port=1;Username=***;Password=***;Timeout=3: could not connect", stderr);
        Assert.DoesNotContain("pa;ss", stderr);
        Assert.DoesNotContain("w0rd", stderr);
        Assert.DoesNotContain("alice", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    [Theory]
    [InlineData("Host=db;Database=alliance;Username=bob;Password=s3cret;", "Host=db;Database=alliance;Username=***;Password=***;")]
    [InlineData("Server=db;User ID=bob;Pwd=s3cret", "Server=db;User ID=***;Pwd=***")]
    [InlineData("Host=db;Password='a;b''c';Port=5432", "Host=db;Password=***;Port=5432")]
    [InlineData("Host=db; password = \"x;y\" ;Port=1", "Host=db; password =***;Port=1")]
    [InlineData("Data Source=/data/clinic.db", "Data Source=/data/clinic.db")]
    [InlineData("Data Source=c.db;Password=", "Data Source=c.db;Password=")]
    [InlineData("Host=db;Password='unterminated", "***")]
    [InlineData("", "")]
    public void Redact_replaces_secret_values_and_keeps_the_rest(string connectionString, string expected) =>
        Assert.Equal(expected, ConnectionStrings.Redact(connectionString));

    [Fact]
    public void RedactIn_removes_secrets_a_provider_message_quotes()
    {
        const string cs = "Host=db;Username=bob;Password=hunter22";
        string message = ConnectionStrings.RedactIn("login failed for bob with hunter22 (Host=db;Username=bob;Password=hunter22)", cs);
        Assert.DoesNotContain("hunter22", message);
        Assert.DoesNotContain("bob", message);
        Assert.Contains("Host=db;Username=***;Password=***", message);
    }

    [Fact]
    public void Values_are_written_as_the_builder_reads_them()
    {
        Assert.Equal("", SqlRecordSource.Format(DBNull.Value));
        Assert.Equal("0.1", SqlRecordSource.Format(0.1));
        Assert.Equal("4", SqlRecordSource.Format(4L));
        Assert.Equal("2.50", SqlRecordSource.Format(2.50m));
        Assert.Equal("1", SqlRecordSource.Format(true));
        Assert.Equal("text", SqlRecordSource.Format("text"));
        Assert.Null(SqlRecordSource.Format(new byte[] { 1 }));
    }

    [Fact]
    public void A_binary_value_is_refused_naming_the_record_and_column()
    {
        string db = Path.Combine(_dir.Path, "blob.db");
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (a INTEGER, b BLOB); INSERT INTO t VALUES (1, NULL); INSERT INTO t VALUES (2, x'00ff');";
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        using var source = SqlRecordSource.Open("sqlite", $"Data Source={db}", "SELECT a, b FROM t");
        Assert.True(source.Read());
        var e = Assert.Throws<DataSpecException>(() => source.Read());
        Assert.Contains("record 2, column b", e.Message);
    }
}
