namespace OrleansPathology.Synthesis;

/// <summary>
/// The TurboJPEG library could not be loaded, so no slide can be written; the message names the package to install.
/// The loader's own message (every path it tried, one a line) stays in <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class JpegEncoderUnavailableException(Exception inner)
    : Exception($"cannot load {TurboJpegNative.Library} to encode slide tiles: install Debian's {TurboJpegNative.DebianPackage} (libjpeg-turbo's TurboJPEG library)", inner);
