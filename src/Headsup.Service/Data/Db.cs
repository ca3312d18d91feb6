using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Headsup.Service.Data;

/// <summary>
/// The service's database access: portable SQL (named @parameters, ON CONFLICT, RETURNING, BIGINT milliseconds) over
/// ADO.NET, so the same statements run on SQLite (embedded) and PostgreSQL (scale-out). One connection per operation
/// (both providers pool them).
/// </summary>
public sealed class Db
{
    private readonly string _connectionString = string.Empty;
    private readonly NpgsqlDataSource? _postgres;

    /// <summary>
    /// Opens the database named by <paramref name="connectionString"/>: SQLite ("Data Source=&lt;file&gt;") or PostgreSQL
    /// (an Npgsql "Host=…;Port=…;Database=…;Username=…" string).
    /// </summary>
    /// <exception cref="ServiceConfigurationException">Neither form, or a string the provider refuses.</exception>
    public Db(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        try
        {
            if (IsSqlite(connectionString))
            {
                var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
                if (builder.DataSource is { Length: > 0 } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                }

                _connectionString = builder.ToString();
                Description = "sqlite";
            }
            else if (IsPostgres(connectionString))
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                if (builder.Timeout == 15)
                {
                    builder.Timeout = 10;
                }

                _postgres = NpgsqlDataSource.Create(builder.ConnectionString);
                Description = "postgresql";
            }
            else
            {
                throw new ServiceConfigurationException("database: the connection string is neither SQLite (Data Source=<file>) nor PostgreSQL (Host=…;Port=…;Database=…;Username=…)");
            }
        }
        catch (ArgumentException ex)
        {
            throw new ServiceConfigurationException("database: the connection string cannot be used: " + ex.Message, ex);
        }
    }

    /// <summary>Which backend this is (sqlite, postgresql).</summary>
    public string Description { get; } = string.Empty;

    /// <summary>True for PostgreSQL.</summary>
    public bool Postgres => _postgres is not null;

    /// <summary>True for an Npgsql connection string (it names a Host).</summary>
    public static bool IsPostgres(string connectionString) =>
        connectionString.Split(';').Any(p => p.Trim().StartsWith("Host", StringComparison.OrdinalIgnoreCase) || p.Trim().StartsWith("Server", StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a SQLite connection string ("Data Source=…").</summary>
    public static bool IsSqlite(string connectionString) =>
        connectionString.TrimStart().StartsWith("Data Source", StringComparison.OrdinalIgnoreCase) ||
        connectionString.TrimStart().StartsWith("Filename", StringComparison.OrdinalIgnoreCase);

    /// <summary>Milliseconds since the Unix epoch (how every time is stored).</summary>
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>An open connection with the per-connection settings applied.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>Runs a statement; returns rows affected.</summary>
    public async Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, sql, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a statement on an open connection (and transaction).</summary>
    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads rows.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, object? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, null, sql, map, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads rows on an open connection (and transaction).</summary>
    public static async Task<List<T>> QueryAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> map, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Reads one scalar (null when no row).</summary>
    public async Task<object?> ScalarAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction (committed when it returns, rolled back when it throws).</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE on SQLite: take the write lock up front so two writers never deadlock on an upgrade. PostgreSQL:
        // read committed; every state change re-checks its condition in its UPDATE's WHERE clause.
        await using var transaction = connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A command with @name parameters taken from an anonymous object's properties.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, object? parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        if (parameters is not null)
        {
            foreach (var property in parameters.GetType().GetProperties())
            {
                var p = command.CreateParameter();
                p.ParameterName = "@" + property.Name;
                var value = property.GetValue(parameters);
                p.Value = value ?? DBNull.Value;

                // A typed parameter, so PostgreSQL knows what "@x IS NULL" compares.
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type == typeof(object) && value is not null)
                {
                    type = value.GetType();
                }

                if (TypeOf(type) is { } dbType)
                {
                    p.DbType = dbType;
                }

                command.Parameters.Add(p);
            }
        }

        return command;
    }

    private static DbType? TypeOf(Type type) =>
        type == typeof(string) ? DbType.String
        : type == typeof(long) ? DbType.Int64
        : type == typeof(int) ? DbType.Int32
        : type == typeof(double) ? DbType.Double
        : type == typeof(bool) ? DbType.Boolean
        : null;

    /// <summary>Column value or null.</summary>
    public static string? Text(DbDataReader reader, string column)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : reader.GetString(i);
    }

    /// <summary>Column value or null.</summary>
    public static long? Long(DbDataReader reader, string column)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Column value or null.</summary>
    public static double? Real(DbDataReader reader, string column)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : reader.GetDouble(i);
    }
}

/// <summary>The service cannot start with its configuration (a flag, a setting, a backend); the message says which.</summary>
public sealed class ServiceConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
