using OrleansPathology.Client;

namespace OrleansPathology.Tests.Tissue;

/// <summary>Every command that makes a tissue mask (opath mask, opath infer, and opath submit for the cluster) uses the robust rule unless told otherwise.</summary>
public sealed class TissueDefaultTests
{
    [Theory]
    [InlineData("mask", "s.svs", "--out", "o")]
    [InlineData("infer", "s.svs", "--weights", "w", "--out", "o")]
    [InlineData("submit", "cohort.json")]
    public void The_tissue_rule_defaults_to_robust(params string[] args)
    {
        var parsed = OpathCommand.Create().Parse(args);
        Assert.Equal("robust", parsed.GetValue<string>("--tissue"));
        Assert.Equal("otsu", OpathCommand.Create().Parse([.. args, "--tissue", "otsu"]).GetValue<string>("--tissue"));
    }
}
