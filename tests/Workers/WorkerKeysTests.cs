using OrleansPathology.Grains.Devices;
using OrleansPathology.Inference;
using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Tests.Workers;

public sealed class DeviceKeysTests
{
    [Theory]
    [InlineData("node-a/cpu:0", "node-a", "cpu:0")]
    [InlineData("gpu-pod-7/cuda:3", "gpu-pod-7", "cuda:3")]
    public void Parse_SplitsAtTheFirstSlash(string key, string silo, string device)
    {
        Assert.Equal((silo, device), DeviceKeys.Parse(key));
        Assert.Equal(key, DeviceKeys.Format(silo, device));
    }

    [Theory]
    [InlineData("cpu:0")]
    [InlineData("/cpu:0")]
    [InlineData("node-a/")]
    public void Parse_AKeyWithoutSiloOrDevice_NamesTheKey(string key)
    {
        var error = Assert.Throws<FormatException>(() => DeviceKeys.Parse(key));
        Assert.Equal($"worker key '{key}' is not '{{siloName}}/{{device}}'", error.Message);
    }

    [Theory]
    [InlineData("cpu:0", "cpu")]
    [InlineData("cpu:3", "cpu")]
    [InlineData("cuda:0", "cuda:0")]
    [InlineData("cuda:12", "cuda:12")]
    [InlineData("sim:7", "cpu")]
    public void TorchDevice_SharesTheCpu_AndKeepsTheGpuIndex(string device, string torch)
    {
        Assert.Equal(torch, DeviceName.Parse(device).TorchDevice);
        Assert.Equal(device, DeviceName.Parse(device).ToString());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("gpu:0")]
    [InlineData("cpu:-1")]
    [InlineData("cpu:1a")]
    [InlineData("CPU:0")]
    [InlineData("sim:")]
    public void Devices_OtherThanCpuOrCudaWithAnIndex_AreInvalid(string device)
    {
        Assert.False(DeviceName.TryParse(device, out _));
        Assert.Contains($"'{device}'", Assert.Throws<ArgumentException>(() => DeviceName.Parse(device)).Message);
    }
}
