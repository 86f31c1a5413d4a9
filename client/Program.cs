using OrleansPathology.Client;

return await OpathCommand.Create().Parse(args).InvokeAsync();
