using OrleansPathology.Client;

return await OpathCommand.InvokeAsync(args);
