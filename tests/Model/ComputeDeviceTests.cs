using OrleansPathology.Model;

namespace OrleansPathology.Tests.Model;

public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", "fp32", "cpu/fp32")]
    [InlineData("CPU", "bf16", "cpu/bf16")]
    public void ParsesWhatTheCpuRuns(string device, string precision, string expected) =>
        Assert.Equal(expected, ComputeDevice.Parse(device, precision).ToString());

    [Theory]
    [InlineData("gpu0", "fp32", "unknown device 'gpu0'")]
    [InlineData("cuda:x", "fp32", "unknown device 'cuda:x'")]
    [InlineData("cpu", "fp16", "fp16 is for CUDA")]
    [InlineData("cpu", "int8", "unknown precision 'int8'")]
    public void RefusesWhatCannotRun_NamingTheValue(string device, string precision, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(device, precision)).Message);

    [Fact]
    public void CudaOnAMachineWithoutIt_IsAClearError()
    {
        // This test machine has no GPU; on a CUDA build host it checks the device count instead.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Contains("CUDA device(s)", Assert.Throws<ArgumentException>(() => ComputeDevice.Parse("cuda:999")).Message);
            return;
        }
        Assert.Contains("CUDA is not available", Assert.Throws<ArgumentException>(() => ComputeDevice.Parse("cuda:0")).Message);
    }
}
