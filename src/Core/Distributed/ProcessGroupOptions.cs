namespace ReLICv2.Distributed;

/// <summary>
/// How a <see cref="ProcessGroup"/> connects: the backend, the time-out of the rendezvous and of every collective, and
/// which local address the Gloo transport binds (a network interface, else a host name or address, else the master's
/// loopback address when the master is on loopback, else this machine's host name). Validated at construction.
/// </summary>
public sealed record ProcessGroupOptions
{
    /// <summary>The time-out when none is given: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <exception cref="ArgumentOutOfRangeException">The time-out is not in (0, 24 h].</exception>
    public ProcessGroupOptions(TimeSpan? timeout = null, string? hostname = null, string? networkInterface = null,
        ProcessGroupBackend backend = ProcessGroupBackend.Gloo)
    {
        var t = timeout ?? DefaultTimeout;
        Timeout = t > TimeSpan.Zero && t <= TimeSpan.FromHours(24) ? t
            : throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "ProcessGroupOptions.Timeout must be in (0, 24 h]");
        Hostname = string.IsNullOrWhiteSpace(hostname) ? null : hostname;
        NetworkInterface = string.IsNullOrWhiteSpace(networkInterface) ? null : networkInterface;
        Backend = Enum.IsDefined(backend) ? backend
            : throw new ArgumentOutOfRangeException(nameof(backend), backend, "ProcessGroupOptions.Backend must be Gloo or Nccl");
    }

    /// <summary>Bounds the rendezvous (reaching the store, the other ranks joining) and every collective.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Local host name or address the Gloo transport binds (e.g. 127.0.0.2), or null.</summary>
    public string? Hostname { get; }

    /// <summary>Local network interface the Gloo transport binds (e.g. eth0; GLOO_SOCKET_IFNAME), or null.</summary>
    public string? NetworkInterface { get; }

    public ProcessGroupBackend Backend { get; }

    /// <summary>
    /// Options from the environment variables cluster users already set: GLOO_SOCKET_IFNAME (interface),
    /// RELIC_GLOO_HOST (local address), RELIC_DIST_TIMEOUT (seconds), RELIC_DIST_BACKEND (gloo or nccl).
    /// </summary>
    public static ProcessGroupOptions FromEnvironment(IReadOnlyDictionary<string, string?>? variables = null)
    {
        string? Get(string name) => variables is null ? Environment.GetEnvironmentVariable(name) : variables.GetValueOrDefault(name);
        TimeSpan? timeout = null;
        if (Get("RELIC_DIST_TIMEOUT") is { Length: > 0 } text)
            timeout = double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 86400
                ? TimeSpan.FromSeconds(s)
                : throw new ArgumentOutOfRangeException("RELIC_DIST_TIMEOUT", text, "RELIC_DIST_TIMEOUT must be a number of seconds in (0, 86400]");
        var backend = Get("RELIC_DIST_BACKEND") switch
        {
            null or "" or "gloo" => ProcessGroupBackend.Gloo,
            "nccl" => ProcessGroupBackend.Nccl,
            var other => throw new ArgumentOutOfRangeException("RELIC_DIST_BACKEND", other, "RELIC_DIST_BACKEND must be gloo or nccl"),
        };
        return new ProcessGroupOptions(timeout, Get("RELIC_GLOO_HOST"), Get("GLOO_SOCKET_IFNAME"), backend);
    }
}
