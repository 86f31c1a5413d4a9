using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Tests.Workers;

public sealed class WorkerKeysTests
{
    [Theory]
    [InlineData("node-a/cpu:0", "node-a", "cpu:0")]
    [InlineData("gpu-pod-7/cuda:3", "gpu-pod-7", "cuda:3")]
    public void Parse_SplitsAtTheFirstSlash(string key, string silo, string device)
    {
        Assert.Equal((silo, device), WorkerKeys.Parse(key));
        Assert.Equal(key, WorkerKeys.Format(silo, device));
    }

    [Theory]
    [InlineData("cpu:0")]
    [InlineData("/cpu:0")]
    [InlineData("node-a/")]
    public void Parse_AKeyWithoutSiloOrDevice_NamesTheKey(string key)
    {
        var error = Assert.Throws<FormatException>(() => WorkerKeys.Parse(key));
        Assert.Equal($"worker key '{key}' is not '{{siloName}}/{{device}}'", error.Message);
    }

    [Theory]
    [InlineData("cpu:0", "cpu")]
    [InlineData("cpu:3", "cpu")]
    [InlineData("cuda:0", "cuda:0")]
    [InlineData("cuda:12", "cuda:12")]
    public void TorchDevice_SharesTheCpu_AndKeepsTheGpuIndex(string device, string torch) =>
        Assert.Equal(torch, WorkerDevices.TorchDevice(device));

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("gpu:0")]
    [InlineData("cpu:-1")]
    [InlineData("cpu:1a")]
    [InlineData("CPU:0")]
    public void Devices_OtherThanCpuOrCudaWithAnIndex_AreInvalid(string device)
    {
        Assert.False(WorkerDevices.IsValid(device));
        Assert.Contains($"'{device}'", Assert.Throws<ArgumentException>(() => WorkerDevices.TorchDevice(device)).Message);
    }
}
