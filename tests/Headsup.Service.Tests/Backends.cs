using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Headsup.Testing;

namespace Headsup.Service.Tests;

/// <summary>POSIX signals to a process id (stopping throwaway servers by their own pid, never by name).</summary>
public static partial class Signals
{
    /// <summary>kill(2): 0 checks the process exists, 9 kills, 15 asks it to stop; returns 0 on success.</summary>
    public static int Send(int pid, int signal) => Kill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Free loopback ports.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port.</summary>
    public static bool WaitListening(int port, TimeSpan timeout)
    {
        var deadline = Deadline.In(timeout);
        while (!deadline.Passed)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(250);
            }
        }

        return false;
    }
}

/// <summary>
/// A throwaway PostgreSQL 15 cluster (Debian's binaries) in a temp folder on a free loopback port, run as the postgres
/// user (the tests run as root), stopped with pg_ctl on its own data folder.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;

    private PostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string for the "headsup" database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=headsup;Username=postgres";

    /// <summary>Initialises and starts a cluster.</summary>
    public static PostgresServer Start()
    {
        Xunit.Skip.IfNot(File.Exists(Path.Combine(Bin, "initdb")), "PostgreSQL 15 is not installed (the README's test command installs it): test skipped");
        var dir = Path.Combine(Path.GetTempPath(), "headsup-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        Run("chown", "-R", "postgres:postgres", dir);
        var server = new PostgresServer(dir, Ports.Free());
        AsPostgres($"{Bin}/initdb -D {dir}/data -A trust -U postgres --no-sync > {dir}/initdb.log 2>&1");
        server.Start(TimeSpan.FromSeconds(60));
        AsPostgres($"{Bin}/createdb -h 127.0.0.1 -p {server.Port} -U postgres headsup");
        return server;
    }

    /// <summary>Stops (fast) and starts the server again on the same port and data.</summary>
    public void Restart()
    {
        AsPostgres($"{Bin}/pg_ctl -D {_dir}/data -m fast -w stop");
        Start(TimeSpan.FromSeconds(60));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            AsPostgres($"{Bin}/pg_ctl -D {_dir}/data -m immediate -w stop");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // left in /tmp
        }
    }

    private void Start(TimeSpan timeout)
    {
        AsPostgres($"{Bin}/pg_ctl -D {_dir}/data -l {_dir}/server.log -w -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off\" start");
        if (!Ports.WaitListening(Port, timeout))
        {
            throw new InvalidOperationException("PostgreSQL did not start: " + File.ReadAllText(Path.Combine(_dir, "server.log")));
        }
    }

    private static void AsPostgres(string command) => Run("su", "postgres", "-s", "/bin/sh", "-c", command);

    private static void Run(string program, params string[] args)
    {
        var (code, stdout, stderr) = ExternalTool.Run(program, args, TimeSpan.FromMinutes(2));
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({code}): {stdout} {stderr}");
        }
    }
}

/// <summary>
/// A throwaway RabbitMQ node (Debian's rabbitmq-server) with its own name, ports and folders, stopped by the process
/// id it writes to its pid file.
/// </summary>
public sealed class RabbitServer : IDisposable
{
    private readonly string _dir;
    private readonly string _node;
    private readonly int _distPort;
    private readonly int _epmdPort;
    private Process? _process;

    private RabbitServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
        _node = "headsup" + Guid.NewGuid().ToString("N")[..8] + "@localhost";
        _distPort = Ports.Free();
        _epmdPort = Ports.Free();
    }

    /// <summary>The AMQP port.</summary>
    public int Port { get; }

    /// <summary>The AMQP URI (guest works on loopback).</summary>
    public string Uri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    /// <summary>Starts a node and waits for its AMQP port.</summary>
    public static RabbitServer Start()
    {
        Xunit.Skip.IfNot(File.Exists("/usr/sbin/rabbitmq-server"), "rabbitmq-server is not installed (the README's test command installs it): test skipped");
        var dir = Path.Combine(Path.GetTempPath(), "headsup-mq-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var server = new RabbitServer(dir, Ports.Free());
        server.Launch();
        return server;
    }

    /// <summary>Stops the node (SIGTERM to its pid) and starts it again with the same data (durable queues survive).</summary>
    public void Restart()
    {
        StopNode();
        Launch();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StopNode();
        try
        {
            ExternalTool.Run("epmd", ["-port", _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-kill"], TimeSpan.FromSeconds(20));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // epmd gone already
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // left in /tmp
        }
    }

    private void Launch()
    {
        var info = new ProcessStartInfo("/usr/sbin/rabbitmq-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var env = info.Environment;
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log");
        env["RABBITMQ_PID_FILE"] = Path.Combine(_dir, "rabbit.pid");
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = _distPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["ERL_EPMD_PORT"] = _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_NODENAME"] = _node;
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins");
        env["RABBITMQ_CONFIG_FILES"] = Path.Combine(_dir, "conf.d");
        File.WriteAllText(Path.Combine(_dir, "enabled_plugins"), "[].");
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));

        // Debian's rabbitmq-server runs the node as the rabbitmq user when started by root.
        ExternalTool.Run("chown", ["-R", "rabbitmq:rabbitmq", _dir], TimeSpan.FromSeconds(30));
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!Ports.WaitListening(Port, TimeSpan.FromSeconds(90)))
        {
            throw new InvalidOperationException("RabbitMQ did not open its AMQP port in 90 s; logs in " + _dir);
        }
    }

    private void StopNode()
    {
        var pidFile = Path.Combine(_dir, "rabbit.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            _ = Signals.Send(pid, 15);
            var deadline = Deadline.In(TimeSpan.FromSeconds(30));
            while (!deadline.Passed && Signals.Send(pid, 0) == 0)
            {
                Thread.Sleep(200);
            }

            if (Signals.Send(pid, 0) == 0)
            {
                _ = Signals.Send(pid, 9);
            }

            File.Delete(pidFile);
        }

        if (_process is { HasExited: false })
        {
            _ = Signals.Send(_process.Id, 15);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

}
