using OrleansPathology.Client;
using OrleansPathology.Model;

// Before libtorch loads: its OpenMP threads read their wait policy once.
NativeRuntimeSettings.Apply();

return await OpathCommand.InvokeAsync(args);
