using System.Data.Common;
using System.Globalization;
using Alliance.Analytics.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Alliance.Analytics.Sql;

/// <summary>The database providers a query can be run on.</summary>
public static class SqlProviders
{
    /// <summary>SQLite through Microsoft.Data.Sqlite (a database file: <c>Data Source=path.db</c>).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>PostgreSQL through Npgsql (<c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public const string Postgres = "postgres";

    /// <summary>Every provider name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Sqlite, Postgres];

    /// <summary>The error when SQLite's native library cannot be loaded on this platform.</summary>
    internal static DataSpecException NoNativeLibrary(string provider) => new(
        $"{provider}: SQLite's native library (e_sqlite3) is not available for this platform ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}); " +
        "the alliance tool carries it for linux-x64, linux-arm64, osx-arm64 and win-x64 (the Alliance.Analytics.Sql package for every platform)", property: "provider");

    /// <summary>A closed connection of <paramref name="provider"/> for <paramref name="connectionString"/>.</summary>
    /// <exception cref="DataSpecException">When the provider is unknown or the connection string is malformed (the message shows it redacted).</exception>
    public static DbConnection Create(string provider, string connectionString)
    {
        try
        {
            return provider.Trim().ToLowerInvariant() switch
            {
                Sqlite => new SqliteConnection(connectionString),
                Postgres or "postgresql" => new NpgsqlConnection(connectionString),
                _ => throw new DataSpecException($"unknown SQL provider '{provider}' (providers: {string.Join(", ", Names)})", property: "provider"),
            };
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw NoNativeLibrary(provider);
        }
        catch (ArgumentException e)
        {
            throw new DataSpecException($"{provider}: the connection string '{ConnectionStrings.Redact(connectionString)}' is not valid: " +
                ConnectionStrings.RedactIn(e.Message, connectionString), property: "connection string");
        }
    }
}

/// <summary>
/// The rows of a SQL query as an <see cref="IRecordSource"/>: opened on an ADO.NET connection, read row by row
/// (streamed), NULL read as missing. Numbers are written in invariant round-trip form and text as text. PostgreSQL
/// declares column types, so numeric columns are <see cref="ColumnKind.Number"/> and text columns
/// <see cref="ColumnKind.Text"/>; SQLite types values, not columns, so its columns are inferred from their values as
/// a CSV file's are. <see cref="Line"/> is the 1-based record number; <see cref="HeaderLine"/> is 0.
/// <see cref="Name"/> is <c>provider:connection string</c> with secrets redacted (<see cref="ConnectionStrings.Redact"/>).
/// </summary>
public sealed class SqlRecordSource : IRecordSource
{
    private readonly DbConnection _connection;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private readonly string _connectionString;
    private readonly string[] _fields;
    private int _record;

    private SqlRecordSource(string name, string connectionString, DbConnection connection, DbCommand command, DbDataReader reader, IReadOnlyList<SourceColumn> columns)
    {
        Name = name;
        _connectionString = connectionString;
        _connection = connection;
        _command = command;
        _reader = reader;
        Columns = columns;
        _fields = new string[columns.Count];
    }

    /// <summary>
    /// Connects with <paramref name="provider"/> (<see cref="SqlProviders"/>) and runs <paramref name="query"/>.
    /// </summary>
    /// <exception cref="DataSpecException">When the connection fails, the query is refused or returns no columns: the provider's message, with the connection string redacted.</exception>
    public static SqlRecordSource Open(string provider, string connectionString, string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (string.IsNullOrWhiteSpace(query)) throw new DataSpecException("the SQL query is empty", property: "query");
        string name = $"{provider.Trim().ToLowerInvariant()}:{ConnectionStrings.Redact(connectionString)}";
        var connection = SqlProviders.Create(provider, connectionString);
        if (connection is SqliteConnection && !connectionString.Contains("mode", StringComparison.OrdinalIgnoreCase))
        {
            // Reading must not create an empty database where a misspelt path was meant: open read-only.
            var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly };
            connection.ConnectionString = builder.ToString();
        }
        DbCommand? command = null;
        try
        {
            try { connection.Open(); }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
            {
                throw SqlProviders.NoNativeLibrary(provider);
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException or IOException)
            {
                throw new DataSpecException($"{name}: could not connect: {Describe(e, connectionString)}", property: "connection string");
            }
            command = connection.CreateCommand();
            command.CommandText = query;
            DbDataReader reader;
            try { reader = command.ExecuteReader(); }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                throw new DataSpecException($"{name}: the query was refused: {Describe(e, connectionString)} (query: {Shorten(query)})", property: "query");
            }
            if (reader.FieldCount == 0)
            {
                reader.Dispose();
                throw new DataSpecException($"{name}: the query returns no columns (query: {Shorten(query)})", property: "query");
            }
            bool typed = connection is not SqliteConnection;
            var columns = new SourceColumn[reader.FieldCount];
            for (int i = 0; i < columns.Length; i++)
                columns[i] = new SourceColumn(reader.GetName(i), typed ? KindOf(reader.GetFieldType(i)) : ColumnKind.Inferred);
            return new SqlRecordSource(name, connectionString, connection, command, reader, columns);
        }
        catch
        {
            command?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<SourceColumn>? Columns { get; }

    /// <inheritdoc/>
    public int HeaderLine => 0;

    /// <inheritdoc/>
    public int Line => _record;

    /// <inheritdoc/>
    public int FieldCount => _fields.Length;

    /// <inheritdoc/>
    public int BlankLines => 0;

    /// <inheritdoc/>
    public int ExpectedRows => 0;

    /// <inheritdoc/>
    /// <exception cref="DataSpecException">When the database fails mid-read, or a value is of a type that is neither a number nor text (binary data); the message names the record and column.</exception>
    public bool Read()
    {
        bool more;
        try { more = _reader.Read(); }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            throw new DataSpecException($"{Name}: reading record {_record + 1} failed: {Describe(e, _connectionString)}", property: "query");
        }
        if (!more) return false;
        _record++;
        for (int i = 0; i < _fields.Length; i++)
        {
            object value;
            try { value = _reader.IsDBNull(i) ? DBNull.Value : _reader.GetValue(i); }
            catch (Exception e) when (e is DbException or InvalidCastException or InvalidOperationException or OverflowException)
            {
                throw new DataSpecException($"{Name}: record {_record}, column {Columns![i].Name}: the value cannot be read: {Describe(e, _connectionString)}", property: "query");
            }
            _fields[i] = Format(value) ?? throw new DataSpecException(
                $"{Name}: record {_record}, column {Columns![i].Name}: a value of type {_reader.GetDataTypeName(i)} is neither a number nor text; select it cast to a number or text",
                property: "query");
        }
        return true;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<char> Field(int index) => _fields[index];

    /// <inheritdoc/>
    public string RawRow()
    {
        string row = string.Join(",", _fields);
        return row.Length <= 200 ? row : row[..200] + "…";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
        _connection.Dispose();
    }

    /// <summary>A value as the builder reads it: numbers in invariant round-trip form, text as is, NULL as empty (missing); null for a type that is neither.</summary>
    internal static string? Format(object value) => value switch
    {
        DBNull => "",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        long or int or short or sbyte or byte or ulong or uint or ushort => Convert.ToString(value, CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        char c => c.ToString(),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("o", CultureInfo.InvariantCulture),
        DateOnly t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        Guid g => g.ToString(),
        _ => null,
    };

    private static ColumnKind KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(char) || type == typeof(Guid)) return ColumnKind.Text;
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal) || type == typeof(long) || type == typeof(int)
            || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(bool)) return ColumnKind.Number;
        return ColumnKind.Inferred;
    }

    /// <summary>The provider's message in our words: no exception type names, the connection string's secrets redacted.</summary>
    private static string Describe(Exception e, string connectionString)
    {
        var messages = new List<string>();
        for (var x = e; x is not null && messages.Count < 3; x = x.InnerException)
        {
            string m = x is SqliteException s ? StripSqlitePrefix(s.Message) : x.Message;
            m = m.Trim().TrimEnd('.');
            if (m.Length > 0 && !messages.Any(p => p.Contains(m, StringComparison.Ordinal))) messages.Add(m);
        }
        return ConnectionStrings.RedactIn(string.Join(": ", messages), connectionString);
    }

    // Microsoft.Data.Sqlite writes "SQLite Error 1: 'no such table: x'."; the quotes and number add nothing.
    private static string StripSqlitePrefix(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^SQLite Error \d+: '(.*)'\.?$", System.Text.RegularExpressions.RegexOptions.Singleline);
        return m.Success ? m.Groups[1].Value : message;
    }

    private static string Shorten(string query)
    {
        string q = string.Join(' ', query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return q.Length <= 120 ? q : q[..120] + "…";
    }
}
