// A placeholder for the dashboard's entry module.
document.getElementById('app').dataset.loaded = 'true';
