using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Headsup.Service.Data;

/// <summary>
/// The service's database access: portable SQL (named @parameters, ON CONFLICT, RETURNING, BIGINT milliseconds) over
/// ADO.NET, so the same statements run on SQLite (embedded) and PostgreSQL (scale-out). One connection per operation
/// (both providers pool them).
/// </summary>
public sealed class Db
{
    private readonly string _connectionString;

    /// <summary>Opens the database named by <paramref name="connectionString"/> (SQLite "Data Source=…").</summary>
    public Db(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (!IsSqlite(connectionString))
        {
            throw new ServiceConfigurationException(
                "database: only SQLite (Data Source=<file>) is built into this version; PostgreSQL connection strings (Host=…) are not supported yet");
        }

        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        if (builder.DataSource is { Length: > 0 } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        _connectionString = builder.ToString();
        Description = "sqlite";
    }

    /// <summary>Which backend this is (sqlite, postgresql).</summary>
    public string Description { get; }

    /// <summary>True for a SQLite connection string ("Data Source=…").</summary>
    public static bool IsSqlite(string connectionString) =>
        connectionString.TrimStart().StartsWith("Data Source", StringComparison.OrdinalIgnoreCase) ||
        connectionString.TrimStart().StartsWith("Filename", StringComparison.OrdinalIgnoreCase);

    /// <summary>Milliseconds since the Unix epoch (how every time is stored).</summary>
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>An open connection with the per-connection settings applied.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
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

        // BEGIN IMMEDIATE on SQLite: take the write lock up front so two writers never deadlock on an upgrade.
        await using var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: false);
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
                p.Value = property.GetValue(parameters) ?? DBNull.Value;
                command.Parameters.Add(p);
            }
        }

        return command;
    }

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
        return reader.IsDBNull(i) ? null : reader.GetInt64(i);
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
