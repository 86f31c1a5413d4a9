using static TorchSharp.torch;

namespace OrleansPathology.Model;

/// <summary>
/// One layer run over an image a band of rows at a time. It keeps the input rows its next output row still needs,
/// so the rows neighbouring bands share are computed once, and its output rows, put together, equal the layer's on
/// the whole image. Vertically the layer is a kernel of <c>kernel</c> rows at <c>stride</c>, with <c>padding</c> rows of
/// <c>padValue</c> above the first row and below the last; <c>apply</c> is the layer without vertical padding.
/// Its buffer lives outside dispose scopes and is freed by <see cref="Dispose"/>.
/// </summary>
internal sealed class BandedLayer(int kernel, int stride, int padding, Func<Tensor, Tensor> apply, double padValue = 0) : IDisposable
{
    private Tensor? _rows;        // absolute input rows [_rowsStart, _rowsStart + rows), padding counted as rows
    private long _rowsStart = -padding;
    private long _received = -padding; // one past the last absolute row received
    private long _nextOutput;
    private (long Batch, long Channels, long Width, ScalarType Type, Device Device)? _like; // for the padding rows

    /// <summary>
    /// Takes the next input rows (null: none this time) and returns the output rows they complete, or null.
    /// <paramref name="last"/> marks the image's last rows: the bottom padding follows them and the rest is returned.
    /// </summary>
    public Tensor? Push(Tensor? input, bool last)
    {
        if (input is not null)
        {
            if (_like is null)
            {
                _like = (input.shape[0], input.shape[1], input.shape[3], input.dtype, input.device);
                if (padding > 0) Append(PadRows());
            }
            Append(input);
        }
        if (last && _like is not null && padding > 0) Append(PadRows());
        if (_rows is null) return null;

        // Output row o needs absolute input rows [o*stride - padding, o*stride - padding + kernel).
        var ready = _received + padding - kernel;
        if (ready < 0) return null;
        var end = ready / stride + 1;
        if (end <= _nextOutput) return null;
        var first = _nextOutput * stride - padding;
        var span = (end - 1 - _nextOutput) * stride + kernel;
        var output = apply(_rows.narrow(2, first - _rowsStart, span));
        _nextOutput = end;
        Trim(end * stride - padding);
        return output;
    }

    public void Dispose() => _rows?.Dispose();

    private void Append(Tensor input)
    {
        var count = input.shape[2];
        var from = _received;
        _received += count;
        // Rows before the next output's window (a stride longer than the kernel) are never needed.
        var skip = Math.Max(0, _rowsStart - from);
        if (skip >= count) return;
        var wanted = skip > 0 ? input.narrow(2, skip, count - skip) : input.alias();
        if (_rows is null || _rows.shape[2] == 0)
        {
            Keep(wanted);
            _rowsStart = from + skip;
        }
        else
        {
            Keep(cat([_rows, wanted], 2));
        }
    }

    // Drops the rows before absolute row `from`; when that is past the rows held, Append skips up to it.
    private void Trim(long from)
    {
        if (_rows is null || from <= _rowsStart) return;
        var held = _rows.shape[2];
        var drop = Math.Min(from - _rowsStart, held);
        // A copy of the few rows kept, so the band they were cut from is freed now.
        Keep(_rows.narrow(2, drop, held - drop).clone());
        _rowsStart = from;
    }

    private void Keep(Tensor rows)
    {
        var old = _rows;
        _rows = rows.DetachFromDisposeScope();
        old?.Dispose();
    }

    // Padding rows shaped like the input's (its layout kept: channels-last rows stay channels-last).
    private Tensor PadRows()
    {
        var like = _like!.Value;
        return full([like.Batch, padding, like.Width, like.Channels], padValue, like.Type, like.Device).permute(0, 3, 1, 2);
    }
}
