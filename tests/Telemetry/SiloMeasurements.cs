using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansPathology.Tests.Telemetry;

/// <summary>One measurement an instrument recorded, with its tags.</summary>
public sealed record Measured(string Meter, string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>
/// Every measurement of this system's and Orleans' instruments made by one host's <see cref="IMeterFactory"/>: other
/// silos in the test process (tests run side by side) have meters of the same names, which this ignores.
/// </summary>
public sealed class SiloMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measured = new();

    public SiloMeasurements(IMeterFactory host, params string[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, host) && meters.Contains(instrument.Meter.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measured> All => [.. _measured];

    /// <summary>The measurements of one instrument, in the order they were made.</summary>
    public IReadOnlyList<Measured> Of(string instrument) => All.Where(m => m.Instrument == instrument).ToList();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(tags.Length);
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        _measured.Enqueue(new Measured(instrument.Meter.Name, instrument.Name, value, copy));
    }
}
